import type { ByteReader } from '../primitives/byte-reader.js';
import type { ByteWriter } from '../primitives/byte-writer.js';
import type { ApiSpec } from '../schema/schema-types.js';
import { inVersionRange } from '../schema/versions.js';

/**
 * Kafka's request header. v0 is apiKey, apiVersion and correlationId; v1
 * adds clientId (a classic nullable string, even in v2); v2 adds a
 * tagged-field section. kstream reads and writes v1 and v2: v0 only ever
 * served ControlledShutdown v0.
 */
export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
}

/** 2 for a flexible version of the API, else 1, as Kafka chooses. */
export function requestHeaderVersion(api: ApiSpec, apiVersion: number): 1 | 2 {
  return inVersionRange(api.flexibleVersions, apiVersion) ? 2 : 1;
}

/** Reads the header fields common to v1 and v2; the caller skips v2's tagged fields once it knows the version. */
export function readRequestHeader(r: ByteReader): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.nullableString();
  return { apiKey, apiVersion, correlationId, clientId };
}

export function writeRequestHeader(w: ByteWriter, header: RequestHeader, headerVersion: 1 | 2): void {
  w.int16(header.apiKey);
  w.int16(header.apiVersion);
  w.int32(header.correlationId);
  w.nullableString(header.clientId);
  if (headerVersion === 2) w.unsignedVarint(0);
}
