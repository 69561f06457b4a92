// The piscina worker entry: every pool thread loads this module and calls its
// default export once per task.
import { runPoolTask } from './pool-tasks.js';

export default runPoolTask;
