// Whole frames: size prefix, header, body. These are the functions the
// broker and the client call on the wire.
import { apiByKey } from '../apis/registry.js';
import { ByteWriter } from '../primitives/byte-writer.js';
import { messageCodec } from '../schema/codec.js';
import type { RequestOf, ResponseOf } from '../schema/message-types.js';
import type { ApiSpec } from '../schema/schema-types.js';
import { UnsupportedVersionError } from '../schema/unsupported-version-error.js';
import { finishFrame, openFrame, startFrame } from './frame-size.js';
import { readRequestHeader, requestHeaderVersion, writeRequestHeader, type RequestHeader } from './request-header.js';
import { responseHeaderVersion } from './response-header.js';

export interface DecodedRequest {
  readonly header: RequestHeader;
  readonly api: ApiSpec;
  /** The decoded body; narrow it with `RequestOf<typeof Api>` once `api` is known. Bytes and records are views of the frame. */
  readonly body: Record<string, unknown>;
}

export interface DecodedResponse<T> {
  readonly correlationId: number;
  readonly body: T;
}

// Encoding is synchronous, so one growing scratch buffer serves every frame; each result is a copy of exactly its bytes.
const scratch = new ByteWriter(64 * 1024);

const REQUEST_HEADER = 'request header';

/**
 * The header of a request frame, for any API key and version — known to
 * kstream or not — so the broker can answer an unsupported request with
 * its correlationId.
 */
export function decodeRequestHeader(frame: Buffer): RequestHeader {
  return readRequestHeader(openFrame(frame, REQUEST_HEADER));
}

/** Header and body of a request frame. Throws UnsupportedVersionError for an unknown API key or version, ProtocolDecodeError for bad bytes. */
export function decodeRequest(frame: Buffer): DecodedRequest {
  const r = openFrame(frame, REQUEST_HEADER);
  const header = readRequestHeader(r);
  const api = apiByKey(header.apiKey);
  if (api === undefined) throw new UnsupportedVersionError(header.apiKey, header.apiVersion);
  const codec = messageCodec(api, header.apiVersion, 'request');
  if (requestHeaderVersion(api, header.apiVersion) === 2) r.skipTaggedFields();
  return { header, api, body: codec.decode(r) };
}

/** A whole request frame, size prefix included. */
export function encodeRequest<A extends ApiSpec>(api: A, apiVersion: number, correlationId: number, clientId: string | null, body: RequestOf<A>): Buffer {
  const codec = messageCodec(api, apiVersion, 'request');
  scratch.reset();
  const frame = startFrame(scratch);
  writeRequestHeader(scratch, { apiKey: api.apiKey, apiVersion, correlationId, clientId }, requestHeaderVersion(api, apiVersion));
  codec.encode(scratch, body);
  finishFrame(scratch, frame);
  return scratch.toBuffer();
}

/** A whole response frame, size prefix included. */
export function encodeResponse<A extends ApiSpec>(api: A, apiVersion: number, correlationId: number, body: ResponseOf<A>): Buffer {
  const codec = messageCodec(api, apiVersion, 'response');
  scratch.reset();
  const frame = startFrame(scratch);
  scratch.int32(correlationId);
  if (responseHeaderVersion(api, apiVersion) === 1) scratch.unsignedVarint(0);
  codec.encode(scratch, body);
  finishFrame(scratch, frame);
  return scratch.toBuffer();
}

/** The correlationId of a response frame, so a client can find which request (API and version) it answers before decoding it. */
export function responseCorrelationId(frame: Buffer): number {
  return openFrame(frame, 'response header').int32();
}

/** Header and body of a response frame to a request of `api` in `apiVersion`. */
export function decodeResponse<A extends ApiSpec>(api: A, apiVersion: number, frame: Buffer): DecodedResponse<ResponseOf<A>> {
  const codec = messageCodec(api, apiVersion, 'response');
  const r = openFrame(frame, codec.label);
  const correlationId = r.int32();
  if (responseHeaderVersion(api, apiVersion) === 1) r.skipTaggedFields();
  return { correlationId, body: codec.decode(r) };
}
