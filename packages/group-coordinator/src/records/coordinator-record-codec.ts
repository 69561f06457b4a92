import { dataMessageCodec, ProtocolDecodeError, type MessageOf } from '@kstream/protocol';
import type { CoordinatorRecord, GroupMetadataValue, MemberMetadataValue, OffsetAndMetadata } from './coordinator-record.js';
import {
  GROUP_METADATA_KEY_VERSION,
  GROUP_METADATA_VALUE_VERSION,
  GroupMetadataKeySchema,
  GroupMetadataValueSchema,
  OFFSET_COMMIT_KEY_VERSION,
  OFFSET_COMMIT_VALUE_VERSION,
  OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY,
  OffsetCommitKeySchema,
  OffsetCommitValueSchema,
} from './coordinator-record-schemas.js';

const offsetCommitKeys = dataMessageCodec(OffsetCommitKeySchema);
const groupMetadataKeys = dataMessageCodec(GroupMetadataKeySchema);
const offsetCommitValues = dataMessageCodec(OffsetCommitValueSchema);
const groupMetadataValues = dataMessageCodec(GroupMetadataValueSchema);

type MemberMessage = MessageOf<typeof GroupMetadataValueSchema.fields>['members'][number];

/** A record's key and value bytes as they go into a RecordBatch; value null is a tombstone. */
export interface EncodedCoordinatorRecord {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

/** A view of `bytes` typed as the codec's Buffer, no copy. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The value version Kafka 3.x writes for this commit: v1 keeps an expire timestamp (and drops the leader epoch), v3 otherwise. */
export function offsetCommitValueVersion(value: OffsetAndMetadata): number {
  return value.expireTimestamp === -1n ? OFFSET_COMMIT_VALUE_VERSION : OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY;
}

/** Encodes a record as Kafka 3.x writes it. Throws ProtocolEncodeError for a value Kafka's format cannot carry (a string over 32767 bytes, ...). */
export function encodeCoordinatorRecord(record: CoordinatorRecord): EncodedCoordinatorRecord {
  if (record.type === 'offset') {
    const key = offsetCommitKeys.encode(record.key, OFFSET_COMMIT_KEY_VERSION);
    if (record.value === null) return { key, value: null };
    return { key, value: offsetCommitValues.encode(record.value, offsetCommitValueVersion(record.value)) };
  }
  const key = groupMetadataKeys.encode({ group: record.group }, GROUP_METADATA_KEY_VERSION);
  if (record.value === null) return { key, value: null };
  const members = record.value.members.map((member): MemberMessage => ({ ...member, subscription: asBuffer(member.subscription), assignment: asBuffer(member.assignment) }));
  return { key, value: groupMetadataValues.encode({ ...record.value, members }, GROUP_METADATA_VALUE_VERSION) };
}

function offsetValue(bytes: Buffer): OffsetAndMetadata {
  const { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp } = offsetCommitValues.decode(bytes).message;
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp };
}

function groupValue(bytes: Buffer): GroupMetadataValue {
  const { version, message: value } = groupMetadataValues.decode(bytes);
  const members = value.members.map(
    (member): MemberMetadataValue => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      // Version 0 has no rebalance timeout: the session timeout served as both (Kafka reads it so).
      rebalanceTimeout: version === 0 ? member.sessionTimeout : member.rebalanceTimeout,
      sessionTimeout: member.sessionTimeout,
      // Copies: a loaded group must not keep the whole read it came from alive.
      subscription: Buffer.from(member.subscription),
      assignment: Buffer.from(member.assignment),
    }),
  );
  const { protocolType, generation, protocol, leader, currentStateTimestamp } = value;
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}

/**
 * Decodes one record of __consumer_offsets from its key and value bytes
 * (value null: a tombstone). Undefined for a record type this coordinator
 * does not read — a key version other than 0–2, such as KIP-848's consumer
 * group records — which a load skips, as Kafka's does. A value of a version
 * above the newest we know is read as the newest. Throws ProtocolDecodeError
 * for bytes that are no version of the record.
 */
export function decodeCoordinatorRecord(key: Buffer, value: Buffer | null): CoordinatorRecord | undefined {
  if (key.length < 2) throw new ProtocolDecodeError(`a key of ${key.length} bytes has no version`);
  const recordType = key.readInt16BE(0);
  if (recordType === 0 || recordType === 1) {
    const { group, topic, partition } = offsetCommitKeys.decode(key).message;
    return { type: 'offset', key: { group, topic, partition }, value: value === null ? null : offsetValue(value) };
  }
  if (recordType === GROUP_METADATA_KEY_VERSION) {
    const { group } = groupMetadataKeys.decode(key).message;
    return { type: 'group', group, value: value === null ? null : groupValue(value) };
  }
  return undefined;
}
