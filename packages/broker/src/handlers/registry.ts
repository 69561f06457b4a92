// Every API this broker serves, registered once: the network layer dispatches
// through this list and ApiVersions advertises exactly it, so the versions a
// broker claims and the versions it handles cannot drift apart.
import type { ApiSpec } from '@kstream/protocol';
import { inVersionRange, parseVersionRange } from '@kstream/protocol';
import { apiVersionsHandlerFor } from './api-versions-handler.js';
import type { ApiHandler } from './handler.js';

/** A handler of any API, as the registry holds them. */
export type AnyApiHandler = ApiHandler<ApiSpec>;

/** One entry of the ApiVersions response. */
export interface AdvertisedApi {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

const handlers: readonly AnyApiHandler[] = [
  apiVersionsHandlerFor(() => advertisedApis),
];

const byKey = new Map<number, AnyApiHandler>(handlers.map((handler) => [handler.api.apiKey, handler]));

/** The handled versions of every registered API, by API key. */
export const advertisedApis: readonly AdvertisedApi[] = handlers
  .map((handler) => {
    const { min, max } = parseVersionRange(handler.versions ?? handler.api.validVersions);
    return { apiKey: handler.api.apiKey, minVersion: min, maxVersion: max };
  })
  .sort((a, b) => a.apiKey - b.apiKey);

/** The handler of `apiKey`, or undefined when this broker does not serve that API. */
export function handlerFor(apiKey: number): AnyApiHandler | undefined {
  return byKey.get(apiKey);
}

/** Whether the registered handler of `apiKey` serves `apiVersion`. */
export function handlesVersion(handler: AnyApiHandler, apiVersion: number): boolean {
  return inVersionRange(handler.versions ?? handler.api.validVersions, apiVersion);
}
