import { ByteReader } from '../primitives/byte-reader.js';
import { ByteWriter } from '../primitives/byte-writer.js';
import { ProtocolError } from '../primitives/protocol-error.js';
import { structCodec } from './codec-struct.js';
import type { RequestOf, ResponseOf } from './message-types.js';
import type { ApiSpec, FieldSpec } from './schema-types.js';
import { UnsupportedVersionError } from './unsupported-version-error.js';
import { inVersionRange } from './versions.js';

export type MessageKind = 'request' | 'response';

/** The compiled encoder and decoder of one message in one version. */
export interface MessageCodec<T = Record<string, unknown>> {
  /** "Produce v9 request": how errors name the message. */
  readonly label: string;
  /** Appends the body's encoding to `w`. Throws ProtocolEncodeError for a value the version cannot carry. */
  encode(w: ByteWriter, body: T): void;
  /** Decodes a body from `r.offset` to `r.end`, which it must consume exactly. Throws ProtocolDecodeError. */
  decode(r: ByteReader): T;
}

/**
 * Compiles a message body (any list of fields: an API's request or
 * response, or a payload such as the consumer protocol's) for one version.
 * Prefer `messageCodec`, which caches; this is for payloads outside ALL_APIS.
 */
export function compileMessage<T = Record<string, unknown>>(label: string, fields: readonly FieldSpec[], version: number, flexible: boolean): MessageCodec<T> {
  const body = structCodec(fields, version, flexible);
  const read = body.read;
  const write = body.write;
  return {
    label,
    encode(w, value) {
      try {
        write(w, value);
      } catch (error) {
        throw ProtocolError.inMessage(error, label);
      }
    },
    decode(r) {
      r.depth = 0;
      r.context = label;
      const value = read(r);
      if (r.offset !== r.end) throw r.error(`${r.end - r.offset} bytes left over after the message`);
      return value as T;
    },
  };
}

interface CompiledApi {
  readonly request: MessageCodec[];
  readonly response: MessageCodec[];
}

const compiled = new WeakMap<ApiSpec, CompiledApi>();

/**
 * The codec of `api`'s request or response in `version`, compiled on first
 * use and cached for the life of the process. A version outside the API's
 * validVersions throws UnsupportedVersionError.
 */
export function messageCodec<A extends ApiSpec>(api: A, version: number, kind: 'request'): MessageCodec<RequestOf<A>>;
export function messageCodec<A extends ApiSpec>(api: A, version: number, kind: 'response'): MessageCodec<ResponseOf<A>>;
export function messageCodec(api: ApiSpec, version: number, kind: MessageKind): MessageCodec;
export function messageCodec(api: ApiSpec, version: number, kind: MessageKind): MessageCodec {
  let codecs = compiled.get(api);
  if (codecs === undefined) {
    codecs = { request: [], response: [] };
    compiled.set(api, codecs);
  }
  const perVersion = codecs[kind];
  const cached = perVersion[version];
  if (cached !== undefined) return cached;
  if (!Number.isInteger(version) || !inVersionRange(api.validVersions, version)) {
    throw new UnsupportedVersionError(api.apiKey, version, api);
  }
  const codec = compileMessage(`${api.name} v${version} ${kind}`, kind === 'request' ? api.request : api.response, version, inVersionRange(api.flexibleVersions, version));
  perVersion[version] = codec;
  return codec;
}

// Encoding is synchronous, so one growing scratch buffer serves every call; results are copied out.
const scratch = new ByteWriter(64 * 1024);

/** A request body alone (no header, no size prefix): for tests and for payloads embedded in other messages. */
export function encodeRequestBody<A extends ApiSpec>(api: A, version: number, body: RequestOf<A>): Buffer {
  scratch.reset();
  messageCodec(api, version, 'request').encode(scratch, body);
  return scratch.toBuffer();
}

export function encodeResponseBody<A extends ApiSpec>(api: A, version: number, body: ResponseOf<A>): Buffer {
  scratch.reset();
  messageCodec(api, version, 'response').encode(scratch, body);
  return scratch.toBuffer();
}

/** Decodes a whole buffer as a request body; bytes and records in the result are views of `body`. */
export function decodeRequestBody<A extends ApiSpec>(api: A, version: number, body: Buffer): RequestOf<A> {
  return messageCodec(api, version, 'request').decode(new ByteReader(body));
}

export function decodeResponseBody<A extends ApiSpec>(api: A, version: number, body: Buffer): ResponseOf<A> {
  return messageCodec(api, version, 'response').decode(new ByteReader(body));
}
