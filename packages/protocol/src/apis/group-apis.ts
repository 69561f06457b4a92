import type { ApiSpec } from '../schema/schema-types.js';

/** Consumer group, offset and transaction APIs. */
export const GROUP_APIS: readonly ApiSpec[] = [];
