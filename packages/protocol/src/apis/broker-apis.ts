import type { ApiSpec } from '../schema/schema-types.js';
import { ApiVersions } from './api-versions.js';

/** Cluster, topic, produce/fetch, config, ACL and SASL APIs. */
export const BROKER_APIS: readonly ApiSpec[] = [ApiVersions];
