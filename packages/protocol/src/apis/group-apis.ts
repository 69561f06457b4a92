import type { ApiSpec } from '../schema/schema-types.js';
import { FindCoordinator } from './find-coordinator.js';

/** Consumer group, offset and transaction APIs. */
export const GROUP_APIS: readonly ApiSpec[] = [
  FindCoordinator,
];
