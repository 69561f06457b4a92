import { ByteReader } from '../primitives/byte-reader.js';
import { ByteWriter } from '../primitives/byte-writer.js';
import { ProtocolDecodeError, ProtocolError } from '../primitives/protocol-error.js';
import { structCodec } from './codec-struct.js';
import { compileMessage, type MessageCodec } from './codec.js';
import type { MessageOf } from './message-types.js';
import type { FieldSpec, VersionRange } from './schema-types.js';
import { inVersionRange, parseVersionRange, versionsIn } from './versions.js';

/**
 * A "data" message of Kafka's JSON: bytes stored inside other bytes rather
 * than sent as an API — the consumer protocol's payloads, the keys and values
 * of `__consumer_offsets` records. On the wire it is a 2-byte version followed
 * by the message in that version's encoding (compact and tagged in its
 * flexible versions).
 */
export interface DataMessageSpec<F extends readonly FieldSpec[] = readonly FieldSpec[]> {
  /** Kafka's name, e.g. "OffsetCommitValue". */
  readonly name: string;
  /** The versions we read and write; a higher version is read as the highest of these. */
  readonly validVersions: VersionRange;
  readonly flexibleVersions: VersionRange;
  readonly fields: F;
}

/** Declares a data message; `const` keeps the field tuple literal for type inference. */
export function defineDataMessage<const F extends readonly FieldSpec[]>(spec: DataMessageSpec<F>): DataMessageSpec<F> {
  return spec;
}

/** A decoded message and the version its writer wrote, which may be newer than the versions we know. */
export interface DecodedDataMessage<T> {
  readonly version: number;
  readonly message: T;
}

/**
 * Encodes and decodes one data message, each version compiled once.
 *
 * Reading follows Kafka's rule for data messages: later versions only add
 * fields (tagged ones, from the first flexible version on), so a version
 * above our newest is read as our newest and any bytes after its fields are
 * ignored. A known version must fill the payload exactly; a version below
 * our oldest, or negative, is a ProtocolDecodeError.
 */
export class DataMessageCodec<T = Record<string, unknown>> {
  /** Each version's codec, compiled when first used: a thread that starts pays for none it does not read or write. */
  private readonly codecs = new Map<number, MessageCodec<T>>();
  private readonly oldest: number;
  /** The newest version we know. */
  readonly newest: number;
  /** Reads the newest version's fields and leaves any bytes after them, for payloads from newer writers. */
  private readNewestCodec: ((r: ByteReader) => unknown) | undefined;

  constructor(readonly spec: DataMessageSpec) {
    const versions = versionsIn(spec.validVersions);
    this.oldest = parseVersionRange(spec.validVersions).min;
    this.newest = versions[versions.length - 1]!;
  }

  /** The 2-byte version, then the message as that version encodes it. Throws ProtocolEncodeError for a value the version cannot carry. */
  encode(message: T, version: number): Buffer {
    const codec = this.codec(version);
    if (codec === undefined) {
      throw new RangeError(`cannot encode ${this.spec.name} version ${version}: supported versions are ${this.spec.validVersions}`);
    }
    const w = new ByteWriter(256);
    w.int16(version);
    codec.encode(w, message);
    return w.toBuffer();
  }

  /** Bytes in the result are views of `payload`. Throws ProtocolDecodeError for bytes that are no version of the message. */
  decode(payload: Buffer): DecodedDataMessage<T> {
    const r = new ByteReader(payload);
    let version: number;
    try {
      version = r.int16();
      if (version < 0) throw new ProtocolDecodeError(`negative version ${version}`);
      if (version < this.oldest) {
        throw new ProtocolDecodeError(`version ${version} is not one we read: supported versions are ${this.spec.validVersions} and later`);
      }
    } catch (error) {
      throw ProtocolError.inMessage(error, this.spec.name);
    }
    return { version, message: this.decodeBody(r, version) };
  }

  /**
   * The body after the version, read exactly as `version` (one of ours),
   * or undefined when the bytes are not that version: for payloads whose
   * writers label them with a later version than their fields are.
   */
  tryDecodeAs(payload: Buffer, version: number): T | undefined {
    try {
      return this.codec(version)?.decode(new ByteReader(payload, 2));
    } catch (error) {
      if (error instanceof ProtocolDecodeError) return undefined;
      throw error;
    }
  }

  private decodeBody(r: ByteReader, version: number): T {
    const codec = this.codec(version);
    if (codec !== undefined) return codec.decode(r);
    try {
      this.readNewestCodec ??= structCodec(this.spec.fields, this.newest, this.isFlexible(this.newest)).read;
      return this.readNewestCodec(r) as T;
    } catch (error) {
      throw ProtocolError.inMessage(error, `${this.spec.name} v${version} (read as v${this.newest})`);
    }
  }

  /** The codec of `version`, undefined for a version outside ours. */
  private codec(version: number): MessageCodec<T> | undefined {
    const compiled = this.codecs.get(version);
    if (compiled !== undefined || !Number.isInteger(version) || version < this.oldest || version > this.newest) return compiled;
    const codec = compileMessage<T>(`${this.spec.name} v${version}`, this.spec.fields, version, this.isFlexible(version));
    this.codecs.set(version, codec);
    return codec;
  }

  private isFlexible(version: number): boolean {
    return inVersionRange(this.spec.flexibleVersions, version);
  }
}

/** The codec of a spec declared with `defineDataMessage`, typed by its fields. */
export function dataMessageCodec<const F extends readonly FieldSpec[]>(spec: DataMessageSpec<F>): DataMessageCodec<MessageOf<F>> {
  return new DataMessageCodec<MessageOf<F>>(spec);
}
