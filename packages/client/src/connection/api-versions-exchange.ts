// The ApiVersions request a connection opens with, and the reading of its
// response. KIP-511: the client sends the highest version protocol knows,
// with its software name and version; a broker that does not know that
// version answers UNSUPPORTED_VERSION in a v0 body listing its own range for
// ApiVersions, and the client asks again at the highest common version.
import { createRequire } from 'node:module';
import { ApiVersions, decodeResponse, ErrorCode, parseVersionRange, type RequestOf, type ResponseOf } from '@kstream/protocol';

export type ApiVersionsResponse = ResponseOf<typeof ApiVersions>;

const CLIENT_SOFTWARE_NAME = 'kstream-client';
// src/connection/ and dist/connection/ are both two levels below the package root.
const CLIENT_SOFTWARE_VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export const API_VERSIONS_MAX = parseVersionRange(ApiVersions.validVersions).max;

export const API_VERSIONS_REQUEST: RequestOf<typeof ApiVersions> = Object.freeze({
  clientSoftwareName: CLIENT_SOFTWARE_NAME,
  clientSoftwareVersion: CLIENT_SOFTWARE_VERSION,
});

// The response header is v0 in every version; the body's errorCode comes first in every version.
const ERROR_CODE_OFFSET = 8;

/**
 * Decodes an ApiVersions response to a request sent at `version`. An
 * UNSUPPORTED_VERSION answer is decoded as v0, which is how the broker wrote it.
 */
export function decodeApiVersionsResponse(frame: Buffer, version: number): ApiVersionsResponse {
  const unsupported = frame.length >= ERROR_CODE_OFFSET + 2 && frame.readInt16BE(ERROR_CODE_OFFSET) === ErrorCode.UNSUPPORTED_VERSION;
  return decodeResponse(ApiVersions, unsupported ? 0 : version, frame).body;
}

/** After UNSUPPORTED_VERSION: the version to ask again with, from the broker's range for ApiVersions (0 if it lists none). */
export function fallbackApiVersionsVersion(response: ApiVersionsResponse, triedVersion: number): number | undefined {
  const own = response.apiKeys.find((k) => k.apiKey === ApiVersions.apiKey);
  const version = Math.min(own?.maxVersion ?? 0, API_VERSIONS_MAX);
  return version < triedVersion ? version : undefined;
}
