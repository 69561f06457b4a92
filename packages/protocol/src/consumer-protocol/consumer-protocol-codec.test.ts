import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolDecodeError } from '../primitives/protocol-error.js';
import { structArbitrary } from '../schema/schema-arbitrary.test-support.js';
import { ConsumerProtocolAssignment } from './consumer-protocol-assignment.js';
import { type Assignment, type Subscription, decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from './consumer-protocol-codec.js';
import { ConsumerProtocolSubscription } from './consumer-protocol-subscription.js';

const hex = (spaced: string) => Buffer.from(spaced.replace(/\s+/g, ''), 'hex');

// One hand-encoded payload per version; each exercises what its version added.
const subscriptionVectors: { version: number; message: Subscription; bytes: Buffer }[] = [
  {
    version: 0,
    message: { topics: ['orders', 'audit'], userData: Buffer.from([0xca, 0xfe]), ownedPartitions: [], generationId: -1, rackId: null },
    bytes: hex(`0000
      00000002  0006 6f7264657273  0005 6175646974
      00000002 cafe`),
  },
  {
    version: 1,
    message: { topics: ['t'], userData: null, ownedPartitions: [{ topic: 't', partitions: [0, 2] }], generationId: -1, rackId: null },
    bytes: hex(`0001
      00000001  0001 74
      ffffffff
      00000001  0001 74  00000002 00000000 00000002`),
  },
  {
    version: 2,
    message: { topics: ['t'], userData: Buffer.alloc(0), ownedPartitions: [], generationId: 5, rackId: null },
    bytes: hex(`0002
      00000001  0001 74
      00000000
      00000000
      00000005`),
  },
  {
    version: 3,
    message: { topics: [], userData: null, ownedPartitions: [], generationId: -1, rackId: 'rack-a' },
    bytes: hex(`0003
      00000000
      ffffffff
      00000000
      ffffffff
      0006 7261636b2d61`),
  },
];

const assignmentVectors: { version: number; message: Assignment; bytes: Buffer }[] = [
  {
    version: 0,
    message: { assignedPartitions: [{ topic: 'orders', partitions: [0, 1] }], userData: Buffer.alloc(0) },
    bytes: hex(`0000
      00000001  0006 6f7264657273  00000002 00000000 00000001
      00000000`),
  },
  {
    version: 1,
    message: { assignedPartitions: [], userData: null },
    bytes: hex('0001 00000000 ffffffff'),
  },
  {
    version: 2,
    message: {
      assignedPartitions: [
        { topic: 'a', partitions: [7] },
        { topic: 'b', partitions: [] },
      ],
      userData: Buffer.from([1]),
    },
    bytes: hex(`0002
      00000002  0001 61  00000001 00000007  0001 62  00000000
      00000001 01`),
  },
  {
    version: 3,
    message: { assignedPartitions: [{ topic: 't', partitions: [2147483647] }], userData: Buffer.from([0x00, 0xff]) },
    bytes: hex(`0003
      00000001  0001 74  00000001 7fffffff
      00000002 00ff`),
  },
];

describe('consumer protocol subscription', () => {
  for (const { version, message, bytes } of subscriptionVectors) {
    it(`encodesVersion${version}ByteForByte`, () => {
      expect(encodeSubscription(message, version).toString('hex')).toBe(bytes.toString('hex'));
      expect(decodeSubscription(bytes)).toEqual({ ...message, version });
    });
  }

  for (const version of [0, 1, 2, 3]) {
    it(`roundTripsEveryValueOfVersion${version}`, () => {
      fc.assert(
        fc.property(structArbitrary(ConsumerProtocolSubscription.fields, version), (message) => {
          const decoded = decodeSubscription(encodeSubscription(message as Subscription, version));
          expect(decoded).toEqual({ ...message, version });
        }),
        { numRuns: 100 },
      );
    });
  }

  it('readsANewerVersionAsVersion3IgnoringAppendedFields', () => {
    const v3 = subscriptionVectors[3]!;
    const v5 = Buffer.concat([hex('0005'), v3.bytes.subarray(2), hex('00000007 0001 78')]);
    expect(decodeSubscription(v5)).toEqual({ ...v3.message, version: 5 });
  });

  it('readsAPayloadThatStopsAfterAnOlderVersionsFields', () => {
    // kafkajs labels a subscription version 1 but writes only version 0's fields.
    const v0Body = subscriptionVectors[0]!.bytes.subarray(2);
    expect(decodeSubscription(Buffer.concat([hex('0001'), v0Body]))).toEqual({ ...subscriptionVectors[0]!.message, version: 1 });
    expect(decodeSubscription(Buffer.concat([hex('0007'), v0Body]))).toEqual({ ...subscriptionVectors[0]!.message, version: 7 });
  });

  it('rejectsAPayloadCutInsideAField', () => {
    const cut = subscriptionVectors[2]!.bytes.subarray(0, -2);
    expect(() => decodeSubscription(cut)).toThrow(ProtocolDecodeError);
    expect(() => decodeSubscription(cut)).toThrow(/ConsumerProtocolSubscription v2: generationId: int32 needs 4 bytes, 2 left/);
  });

  it('rejectsTrailingBytesInAKnownVersion', () => {
    const padded = Buffer.concat([subscriptionVectors[3]!.bytes, hex('00')]);
    expect(() => decodeSubscription(padded)).toThrow(/ConsumerProtocolSubscription v3: 1 bytes left over/);
  });

  it('rejectsANegativeVersion', () => {
    expect(() => decodeSubscription(hex('ffff 00000000 ffffffff'))).toThrow(/ConsumerProtocolSubscription: negative version -1/);
  });

  it('refusesToEncodeAVersionItDoesNotKnow', () => {
    expect(() => encodeSubscription(subscriptionVectors[3]!.message, 4)).toThrow('cannot encode ConsumerProtocolSubscription version 4: supported versions are 0-3');
  });
});

describe('consumer protocol assignment', () => {
  for (const { version, message, bytes } of assignmentVectors) {
    it(`encodesVersion${version}ByteForByte`, () => {
      expect(encodeAssignment(message, version).toString('hex')).toBe(bytes.toString('hex'));
      expect(decodeAssignment(bytes)).toEqual({ ...message, version });
    });
  }

  for (const version of [0, 1, 2, 3]) {
    it(`roundTripsEveryValueOfVersion${version}`, () => {
      fc.assert(
        fc.property(structArbitrary(ConsumerProtocolAssignment.fields, version), (message) => {
          const decoded = decodeAssignment(encodeAssignment(message as Assignment, version));
          expect(decoded).toEqual({ ...message, version });
        }),
        { numRuns: 100 },
      );
    });
  }

  it('readsANewerVersionAsVersion3IgnoringAppendedFields', () => {
    const v3 = assignmentVectors[3]!;
    const v4 = Buffer.concat([hex('0004'), v3.bytes.subarray(2), hex('ffff')]);
    expect(decodeAssignment(v4)).toEqual({ ...v3.message, version: 4 });
  });

  it('rejectsAnEmptyPayload', () => {
    // Empty bytes are no payload at all; a client that treats them as "no assignment" decides so before decoding.
    expect(() => decodeAssignment(Buffer.alloc(0))).toThrow(ProtocolDecodeError);
    expect(() => decodeAssignment(Buffer.alloc(0))).toThrow('ConsumerProtocolAssignment: int16 needs 2 bytes, 0 left');
  });

  it('rejectsAnArrayCountLargerThanThePayload', () => {
    expect(() => decodeAssignment(hex('0000 7fffffff'))).toThrow(/ConsumerProtocolAssignment v0: assignedPartitions: array length 2147483647 exceeds/);
  });
});
