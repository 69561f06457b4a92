import { ProtocolDecodeError } from '../primitives/protocol-error.js';
import { DataMessageCodec } from '../schema/data-message.js';
import type { MessageOf } from '../schema/message-types.js';
import type { FieldSpec } from '../schema/schema-types.js';
import { ConsumerProtocolAssignment } from './consumer-protocol-assignment.js';
import type { ConsumerProtocolSpec } from './consumer-protocol-spec.js';
import { ConsumerProtocolSubscription } from './consumer-protocol-subscription.js';

export type Subscription = MessageOf<typeof ConsumerProtocolSubscription.fields>;
export type Assignment = MessageOf<typeof ConsumerProtocolAssignment.fields>;

/** A decoded payload with the version its sender wrote, which may be newer than the versions we know. */
export type Versioned<T> = T & { readonly version: number };

/**
 * Encodes and decodes one consumer-protocol payload: a data message (an
 * int16 version, then the message in that version's non-flexible encoding),
 * a version above our newest read as our newest.
 *
 * One leniency beyond data messages: a payload that stops exactly after the
 * fields of an older version is also accepted, the missing fields taking
 * their defaults: kafkajs labels its subscriptions version 1 but writes only
 * version 0's fields.
 */
class ConsumerProtocolCodec<T> {
  private readonly codec: DataMessageCodec<T>;

  constructor(spec: ConsumerProtocolSpec<readonly FieldSpec[]>) {
    this.codec = new DataMessageCodec<T>({ ...spec, flexibleVersions: 'none' });
  }

  encode(message: T, version: number): Buffer {
    return this.codec.encode(message, version);
  }

  /** Bytes in the result are views of `payload`. Throws ProtocolDecodeError for bytes that are no version of the payload. */
  decode(payload: Buffer): Versioned<T> {
    try {
      const { version, message } = this.codec.decode(payload);
      return { ...message, version };
    } catch (error) {
      if (!(error instanceof ProtocolDecodeError) || payload.length < 2) throw error;
      const version = payload.readInt16BE(0);
      for (let older = Math.min(version, this.codec.newest) - 1; older >= 0; older--) {
        const message = this.codec.tryDecodeAs(payload, older);
        if (message !== undefined) return { ...message, version };
      }
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
