// ApiVersions v0–4
// - Lists every registered handler's API key with the versions it serves.
// - v3+: clientSoftwareName and clientSoftwareVersion must match Kafka's
//   pattern (letters, digits, '-' and '.', alphanumeric at both ends); a
//   request that does not is answered INVALID_REQUEST with no API list.
// - A version above 4 never reaches this handler: the network layer answers
//   it with the KIP-511 fallback (a v0 response, UNSUPPORTED_VERSION, the
//   full list).
// - No features are advertised: finalizedFeaturesEpoch -1, no features.
import { ApiVersions, ErrorCode } from '@kstream/protocol';
import type { ResponseOf } from '@kstream/protocol';
import type { ApiHandler } from './handler.js';
import type { AdvertisedApi } from './registry.js';

const SOFTWARE_NAME_OR_VERSION = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

/** The ApiVersions response body with `errorCode` and the advertised APIs; encodes in every version. */
export function apiVersionsResponse(errorCode: number, apiKeys: readonly AdvertisedApi[]): ResponseOf<typeof ApiVersions> {
  return {
    errorCode,
    apiKeys: apiKeys.map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion })),
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  };
}

/** The ApiVersions handler, advertising what `advertised()` returns (the registry, itself included). */
export function apiVersionsHandlerFor(advertised: () => readonly AdvertisedApi[]): ApiHandler<typeof ApiVersions> {
  return {
    api: ApiVersions,
    async handle(request, { apiVersion }) {
      if (apiVersion >= 3 && !(SOFTWARE_NAME_OR_VERSION.test(request.clientSoftwareName) && SOFTWARE_NAME_OR_VERSION.test(request.clientSoftwareVersion))) {
        return apiVersionsResponse(ErrorCode.INVALID_REQUEST, []);
      }
      return apiVersionsResponse(ErrorCode.NONE, advertised());
    },
  };
}
