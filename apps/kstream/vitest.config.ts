import { packageTestConfig } from '../../vitest.shared.js';

// Two test files at a time: most of them start clusters and wait on their
// timers and sockets, so one fork (Vitest's default on 2 cores) left a core idle.
export default packageTestConfig({ maxWorkers: 2 });
