import { ByteReader } from '../primitives/byte-reader.js';
import { ByteWriter } from '../primitives/byte-writer.js';
import { ProtocolDecodeError, ProtocolError } from '../primitives/protocol-error.js';
import { structCodec } from '../schema/codec-struct.js';
import { compileMessage, type MessageCodec } from '../schema/codec.js';
import type { MessageOf } from '../schema/message-types.js';
import type { FieldSpec } from '../schema/schema-types.js';
import { versionsIn } from '../schema/versions.js';
import { ConsumerProtocolAssignment } from './consumer-protocol-assignment.js';
import type { ConsumerProtocolSpec } from './consumer-protocol-spec.js';
import { ConsumerProtocolSubscription } from './consumer-protocol-subscription.js';

export type Subscription = MessageOf<typeof ConsumerProtocolSubscription.fields>;
export type Assignment = MessageOf<typeof ConsumerProtocolAssignment.fields>;

/** A decoded payload with the version its sender wrote, which may be newer than the versions we know. */
export type Versioned<T> = T & { readonly version: number };

/**
 * Encodes and decodes one consumer-protocol payload: an int16 version, then
 * the message in that version's non-flexible encoding.
 *
 * Reading follows Kafka's rule for these payloads: versions only append
 * fields, so a version above our newest is read as our newest and the bytes
 * after its fields are ignored. A payload that stops exactly after the
 * fields of an older version is also accepted, the missing fields taking
 * their defaults: kafkajs labels its subscriptions version 1 but writes only
 * version 0's fields.
 */
class ConsumerProtocolCodec<T> {
  private readonly codecs: MessageCodec<T>[];
  private readonly newest: number;
  /** Reads the newest version's fields and leaves any bytes after them, for payloads from newer senders. */
  private readonly readNewest: (r: ByteReader) => unknown;

  constructor(private readonly spec: ConsumerProtocolSpec<readonly FieldSpec[]>) {
    const versions = versionsIn(spec.validVersions);
    this.codecs = versions.map((v) => compileMessage<T>(`${spec.name} v${v}`, spec.fields, v, false));
    this.newest = versions[versions.length - 1]!;
    this.readNewest = structCodec(spec.fields, this.newest, false).read;
  }

  encode(message: T, version: number): Buffer {
    const codec = this.codecs[version];
    if (!Number.isInteger(version) || codec === undefined) {
      throw new RangeError(`cannot encode ${this.spec.name} version ${version}: supported versions are ${this.spec.validVersions}`);
    }
    const w = new ByteWriter(256);
    w.int16(version);
    codec.encode(w, message);
    return w.toBuffer();
  }

  /** Bytes in the result are views of `payload`. Throws ProtocolDecodeError for bytes that are no version of the payload. */
  decode(payload: Buffer): Versioned<T> {
    const r = new ByteReader(payload);
    let version: number;
    try {
      version = r.int16();
      if (version < 0) throw new ProtocolDecodeError(`negative version ${version}`);
    } catch (error) {
      throw ProtocolError.inMessage(error, this.spec.name);
    }
    const bodyStart = r.offset;
    try {
      return { ...this.decodeBody(r, version), version };
    } catch (error) {
      if (!(error instanceof ProtocolDecodeError)) throw error;
      for (let older = Math.min(version, this.newest) - 1; older >= 0; older--) {
        const message = this.tryExact(payload, bodyStart, older);
        if (message !== undefined) return { ...message, version };
      }
      throw error;
    }
  }

  private decodeBody(r: ByteReader, version: number): T {
    if (version <= this.newest) return this.codecs[version]!.decode(r);
    try {
      return this.readNewest(r) as T;
    } catch (error) {
      throw ProtocolError.inMessage(error, `${this.spec.name} v${version} (read as v${this.newest})`);
    }
  }

  private tryExact(payload: Buffer, bodyStart: number, version: number): T | undefined {
    try {
      return this.codecs[version]!.decode(new ByteReader(payload, bodyStart));
    } catch (error) {
      if (error instanceof ProtocolDecodeError) return undefined;
      throw error;
    }
  }
}

const subscriptions = new ConsumerProtocolCodec<Subscription>(ConsumerProtocolSubscription);
const assignments = new ConsumerProtocolCodec<Assignment>(ConsumerProtocolAssignment);

/** The bytes of a JoinGroup protocol's metadata for protocol type "consumer". */
export function encodeSubscription(subscription: Subscription, version: number): Buffer {
  return subscriptions.encode(subscription, version);
}

export function decodeSubscription(payload: Buffer): Versioned<Subscription> {
  return subscriptions.decode(payload);
}

/** The bytes of one member's assignment in SyncGroup. */
export function encodeAssignment(assignment: Assignment, version: number): Buffer {
  return assignments.encode(assignment, version);
}

export function decodeAssignment(payload: Buffer): Versioned<Assignment> {
  return assignments.decode(payload);
}
