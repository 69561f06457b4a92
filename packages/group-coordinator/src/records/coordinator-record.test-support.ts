// fast-check arbitraries for __consumer_offsets records, valid in what a
// given value version carries (fields the version lacks at their defaults).
import fc from 'fast-check';
import type { CoordinatorRecord, GroupMetadataValue, MemberMetadataValue, OffsetAndMetadata, OffsetCommitKey } from './coordinator-record.js';

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const text = fc.string({ unit: 'grapheme', maxLength: 10 });
const bytes = fc.uint8Array({ maxLength: 16 }).map((b) => Buffer.from(b));

export function offsetCommitKey(groups = text, topics = text, partitions = fc.integer(INT32)): fc.Arbitrary<OffsetCommitKey> {
  return fc.record({ group: groups, topic: topics, partition: partitions });
}

/** An OffsetCommitValue that `version` carries whole; undefined version: any value the write path accepts. */
export function offsetAndMetadata(version?: number): fc.Arbitrary<OffsetAndMetadata> {
  return fc.record({
    offset: int64,
    leaderEpoch: version === undefined || version >= 3 ? fc.integer(INT32) : fc.constant(-1),
    metadata: text,
    commitTimestamp: int64,
    expireTimestamp: version === undefined ? fc.oneof(fc.constant(-1n), int64) : version === 1 ? int64 : fc.constant(-1n),
  });
}

function memberMetadata(version: number): fc.Arbitrary<MemberMetadataValue> {
  return fc
    .record({
      memberId: text,
      groupInstanceId: version >= 3 ? fc.option(text, { nil: null }) : fc.constant(null),
      clientId: text,
      clientHost: text,
      rebalanceTimeout: fc.integer(INT32),
      sessionTimeout: fc.integer(INT32),
      subscription: bytes,
      assignment: bytes,
    })
    .map((member) => (version === 0 ? { ...member, rebalanceTimeout: member.sessionTimeout } : member));
}

/** A GroupMetadataValue that `version` carries whole (v0's rebalance timeout is its session timeout, as it reads back). */
export function groupMetadataValue(version = 3): fc.Arbitrary<GroupMetadataValue> {
  return fc.record({
    protocolType: text,
    generation: fc.integer(INT32),
    protocol: fc.option(text, { nil: null }),
    leader: fc.option(text, { nil: null }),
    currentStateTimestamp: version >= 2 ? int64 : fc.constant(-1n),
    members: fc.array(memberMetadata(version), { maxLength: 3 }),
  });
}

/** Any record the write path accepts, tombstones included. */
export const coordinatorRecord: fc.Arbitrary<CoordinatorRecord> = fc.oneof(
  fc.record({ type: fc.constant('offset' as const), key: offsetCommitKey(), value: fc.option(offsetAndMetadata(), { nil: null, freq: 4 }) }),
  fc.record({ type: fc.constant('group' as const), group: text, value: fc.option(groupMetadataValue(), { nil: null, freq: 4 }) }),
);

/** `record` as it reads back from what the write path stores: value v1, written for an expire timestamp, has no leader epoch. */
export function asStored(record: CoordinatorRecord): CoordinatorRecord {
  return record.type === 'offset' && record.value !== null && record.value.expireTimestamp !== -1n ? { ...record, value: { ...record.value, leaderEpoch: -1 } } : record;
}
