import { dataMessageCodec, ProtocolDecodeError } from '@kstream/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCoordinatorRecord, encodeCoordinatorRecord } from './coordinator-record-codec.js';
import { GroupMetadataValueSchema, OffsetCommitKeySchema, OffsetCommitValueSchema } from './coordinator-record-schemas.js';
import { asStored, coordinatorRecord, groupMetadataValue, offsetAndMetadata, offsetCommitKey } from './coordinator-record.test-support.js';
import type { CoordinatorRecord, GroupMetadataValue, OffsetAndMetadata } from './coordinator-record.js';

// Expected bytes are written from Kafka's message JSON field order: int16
// version, then each field of that version; non-flexible strings are an
// int16 length (-1 null), bytes an int32 length, arrays an int32 count;
// flexible (v4) strings, bytes and arrays a uvarint of length + 1 (0 null)
// and every struct ends in its tagged fields (00 when none).
const hex = (spaced: string) => Buffer.from(spaced.replace(/\s+/g, ''), 'hex');
const RUNS = { numRuns: 100 };

const commit: OffsetAndMetadata = { offset: 42n, leaderEpoch: 5, metadata: 'm', commitTimestamp: 1000n, expireTimestamp: -1n };
const offsetKeyBytes = hex('0001  0002 6731  0001 74  00000003'); // v1: group "g1", topic "t", partition 3
const offsetKey = { group: 'g1', topic: 't', partition: 3 };

const group: GroupMetadataValue = {
  protocolType: 'consumer',
  generation: 7,
  protocol: 'range',
  leader: 'm1',
  currentStateTimestamp: 1000n,
  members: [
    {
      memberId: 'm1',
      groupInstanceId: 'i',
      clientId: 'c',
      clientHost: '/h',
      rebalanceTimeout: 300000,
      sessionTimeout: 10000,
      subscription: Buffer.from([1, 2]),
      assignment: Buffer.from([3]),
    },
  ],
};
const groupKeyBytes = hex('0002  0002 6731'); // v2: group "g1"
const groupV3 = hex(`0003  0008 636f6e73756d6572  00000007  0005 72616e6765  0002 6d31  00000000000003e8
  00000001  0002 6d31  0001 69  0001 63  0002 2f68  000493e0  00002710  00000002 0102  00000001 03`);
const groupV4Body = `09 636f6e73756d6572  00000007  06 72616e6765  03 6d31  00000000000003e8
  02  03 6d31  02 69  02 63  03 2f68  000493e0  00002710  03 0102  02 03  00`;

describe('coordinator record codec', () => {
  it('writesAnOffsetCommitAsKeyV1AndValueV3', () => {
    const encoded = encodeCoordinatorRecord({ type: 'offset', key: offsetKey, value: commit });
    expect(encoded.key.toString('hex')).toBe(offsetKeyBytes.toString('hex'));
    expect(encoded.value!.toString('hex')).toBe(hex('0003  000000000000002a  00000005  0001 6d  00000000000003e8').toString('hex'));
  });

  it('writesValueV1WhenTheCommitCarriesAnExpireTimestamp', () => {
    const value = { ...commit, metadata: '', expireTimestamp: 2000n };
    const encoded = encodeCoordinatorRecord({ type: 'offset', key: offsetKey, value });
    expect(encoded.value!.toString('hex')).toBe(hex('0001  000000000000002a  0000  00000000000003e8  00000000000007d0').toString('hex'));
  });

  it('writesAGroupAsKeyV2AndValueV3', () => {
    const encoded = encodeCoordinatorRecord({ type: 'group', group: 'g1', value: group });
    expect(encoded.key.toString('hex')).toBe(groupKeyBytes.toString('hex'));
    expect(encoded.value!.toString('hex')).toBe(groupV3.toString('hex'));
  });

  it('writesTombstonesAsANullValue', () => {
    expect(encodeCoordinatorRecord({ type: 'offset', key: offsetKey, value: null })).toEqual({ key: offsetKeyBytes, value: null });
    expect(encodeCoordinatorRecord({ type: 'group', group: 'g1', value: null })).toEqual({ key: groupKeyBytes, value: null });
    expect(decodeCoordinatorRecord(offsetKeyBytes, null)).toEqual({ type: 'offset', key: offsetKey, value: null });
    expect(decodeCoordinatorRecord(groupKeyBytes, null)).toEqual({ type: 'group', group: 'g1', value: null });
  });

  it('readsOffsetCommitKeyV0', () => {
    const keyV0 = hex('0000  0002 6731  0001 74  00000003');
    expect(decodeCoordinatorRecord(keyV0, null)).toEqual({ type: 'offset', key: offsetKey, value: null });
  });

  it('readsEveryOffsetCommitValueVersionKafkaWrote', () => {
    const read = (value: string) => decodeCoordinatorRecord(offsetKeyBytes, hex(value));
    const none = { leaderEpoch: -1, expireTimestamp: -1n };
    expect(read('0000  000000000000002a  0001 6d  00000000000003e8')).toEqual({ type: 'offset', key: offsetKey, value: { ...commit, ...none } });
    expect(read('0002  000000000000002a  0001 6d  00000000000003e8')).toEqual({ type: 'offset', key: offsetKey, value: { ...commit, ...none } });
    expect(read('0004  000000000000002a  00000005  02 6d  00000000000003e8  00')).toEqual({ type: 'offset', key: offsetKey, value: commit });
  });

  it('readsGroupMetadataValueV0WithTheSessionTimeoutAsRebalanceTimeout', () => {
    const v0 = hex(`0000  0008 636f6e73756d6572  00000007  ffff  ffff
      00000001  0002 6d31  0001 63  0002 2f68  00002710  00000000  00000000`);
    const member = { ...group.members[0]!, groupInstanceId: null, rebalanceTimeout: 10000, subscription: Buffer.alloc(0), assignment: Buffer.alloc(0) };
    expect(decodeCoordinatorRecord(groupKeyBytes, v0)).toEqual({
      type: 'group',
      group: 'g1',
      value: { ...group, protocol: null, leader: null, currentStateTimestamp: -1n, members: [member] },
    });
  });

  it('readsFlexibleGroupMetadataValueV4', () => {
    expect(decodeCoordinatorRecord(groupKeyBytes, hex(`0004 ${groupV4Body}  00`))).toEqual({ type: 'group', group: 'g1', value: group });
  });

  it('readsAValueOfAnUnknownHigherVersionAsTheHighestKnown', () => {
    // A v5 writer adds a tagged field (tag 10, 2 bytes) to the value, as KIP-915 asks of later versions.
    const groupV5 = hex(`0005 ${groupV4Body}  01 0a 02 abcd`);
    expect(decodeCoordinatorRecord(groupKeyBytes, groupV5)).toEqual({ type: 'group', group: 'g1', value: group });
    const offsetV9 = hex('0009  000000000000002a  00000005  02 6d  00000000000003e8  01 00 01 ff');
    expect(decodeCoordinatorRecord(offsetKeyBytes, offsetV9)).toEqual({ type: 'offset', key: offsetKey, value: commit });
  });

  it('skipsRecordTypesItDoesNotRead', () => {
    // KIP-848's ConsumerGroupMetadataKey (3) and later record types, and a negative type.
    for (const type of ['0003', '0008', '0011', 'ffff']) {
      expect(decodeCoordinatorRecord(hex(`${type} 0002 6731`), hex('0000 00000001'))).toBeUndefined();
    }
  });

  it('rejectsAKeyWithoutAVersion', () => {
    expect(() => decodeCoordinatorRecord(hex('00'), null)).toThrow(new ProtocolDecodeError('a key of 1 bytes has no version'));
  });

  it('rejectsAValueCutShort', () => {
    const cut = hex('0003  000000000000002a  00000005  0001 6d  0000');
    expect(() => decodeCoordinatorRecord(offsetKeyBytes, cut)).toThrow(ProtocolDecodeError);
    expect(() => decodeCoordinatorRecord(offsetKeyBytes, cut)).toThrow(/OffsetCommitValue v3: commitTimestamp: int64 needs 8 bytes, 2 left/);
  });

  it('decodedMembersOwnTheirBytes', () => {
    const value = Buffer.from(groupV3);
    const decoded = decodeCoordinatorRecord(groupKeyBytes, value) as Extract<CoordinatorRecord, { type: 'group' }>;
    value.fill(0);
    expect(decoded.value!.members[0]!.subscription).toEqual(Buffer.from([1, 2]));
  });

  it('roundTripsEveryRecordTheWritePathTakes', () => {
    fc.assert(
      fc.property(coordinatorRecord, (record) => {
        const { key, value } = encodeCoordinatorRecord(record);
        expect(decodeCoordinatorRecord(key, value)).toEqual(asStored(record));
      }),
      RUNS,
    );
  });

  const keys = dataMessageCodec(OffsetCommitKeySchema);
  const offsetValues = dataMessageCodec(OffsetCommitValueSchema);
  const groupValues = dataMessageCodec(GroupMetadataValueSchema);

  for (const version of [0, 1]) {
    it(`roundTripsOffsetCommitKeyV${version}`, () => {
      fc.assert(
        fc.property(offsetCommitKey(), (key) => {
          expect(decodeCoordinatorRecord(keys.encode(key, version), null)).toEqual({ type: 'offset', key, value: null });
        }),
        RUNS,
      );
    });
  }

  for (const version of [0, 1, 2, 3, 4]) {
    it(`roundTripsOffsetCommitValueV${version}`, () => {
      fc.assert(
        fc.property(offsetAndMetadata(version), (value) => {
          expect(decodeCoordinatorRecord(offsetKeyBytes, offsetValues.encode(value, version))).toEqual({ type: 'offset', key: offsetKey, value });
        }),
        RUNS,
      );
    });

    it(`roundTripsGroupMetadataValueV${version}`, () => {
      fc.assert(
        fc.property(groupMetadataValue(version), (value) => {
          const members = value.members.map((m) => ({ ...m, subscription: Buffer.from(m.subscription), assignment: Buffer.from(m.assignment) }));
          const bytes = groupValues.encode({ ...value, members }, version);
          expect(decodeCoordinatorRecord(groupKeyBytes, bytes)).toEqual({ type: 'group', group: 'g1', value });
        }),
        RUNS,
      );
    });
  }
});
