export type {
  CoordinatorLog,
  CoordinatorTimers,
  GroupCoordinatorConfig,
  GroupRequestContext,
} from './coordinator-types.js';
