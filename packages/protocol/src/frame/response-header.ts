import type { ApiSpec } from '../schema/schema-types.js';
import { inVersionRange } from '../schema/versions.js';

const API_VERSIONS_KEY = 18;

/**
 * Kafka's response header: v0 is the correlationId, v1 adds a tagged-field
 * section. Flexible versions use v1, except ApiVersions, which always answers
 * with v0 so that a client that sent a version the broker does not know can
 * still read the reply (KIP-511).
 */
export function responseHeaderVersion(api: ApiSpec, apiVersion: number): 0 | 1 {
  if (api.apiKey === API_VERSIONS_KEY) return 0;
  return inVersionRange(api.flexibleVersions, apiVersion) ? 1 : 0;
}
