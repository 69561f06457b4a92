import type { ApiSpec } from '../schema/schema-types.js';
import { BROKER_APIS } from './broker-apis.js';
import { GROUP_APIS } from './group-apis.js';

/** Every API kstream has a schema for; tests walk this list, so a new API is covered once it is listed in its family. */
export const ALL_APIS: readonly ApiSpec[] = [...BROKER_APIS, ...GROUP_APIS];

const byKey = new Map<number, ApiSpec>(ALL_APIS.map((api) => [api.apiKey, api]));

/** The API with this key, or undefined when kstream has no schema for it. */
export function apiByKey(apiKey: number): ApiSpec | undefined {
  return byKey.get(apiKey);
}
