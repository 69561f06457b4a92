import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTransactionLogRecord, encodeTransactionLogRecord } from './transaction-log-codec.js';
import type { TransactionLogValue } from './transaction-log-record.js';
import { TransactionState } from './transaction-state.js';

function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}
function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}
function int64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
}
function str(s: string): Buffer {
  return Buffer.concat([int16(Buffer.byteLength(s)), Buffer.from(s)]);
}

const ongoing: TransactionLogValue = {
  producerId: 4000n,
  producerEpoch: 3,
  transactionTimeoutMs: 60_000,
  state: TransactionState.Ongoing,
  partitions: [
    { topic: 'orders', partition: 0 },
    { topic: 'payments', partition: 2 },
    { topic: 'orders', partition: 5 },
  ],
  lastUpdateTimestampMs: 1_700_000_000_123n,
  startTimestampMs: 1_700_000_000_100n,
};

describe('TransactionLogKey / TransactionLogValue', () => {
  it('writesKafkasKeyV0AndValueV0Bytes', () => {
    const { key, value } = encodeTransactionLogRecord({ transactionalId: 'txn-a', value: ongoing });
    expect(key).toEqual(Buffer.concat([int16(0), str('txn-a')]));
    expect(value).toEqual(
      Buffer.concat([
        int16(0),
        int64(4000n),
        int16(3),
        int32(60_000),
        Buffer.from([1]),
        int32(2),
        str('orders'),
        int32(2),
        int32(0),
        int32(5),
        str('payments'),
        int32(1),
        int32(2),
        int64(1_700_000_000_123n),
        int64(1_700_000_000_100n),
      ]),
    );
  });

  it('writesNullPartitionsForEmpty', () => {
    const { value } = encodeTransactionLogRecord({ transactionalId: 't', value: { ...ongoing, state: TransactionState.Empty, partitions: [], startTimestampMs: -1n } });
    // version, producer id, epoch, timeout, status, then the null array (-1).
    expect(value!.readInt32BE(2 + 8 + 2 + 4 + 1)).toBe(-1);
    expect(decodeTransactionLogRecord(encodeTransactionLogRecord({ transactionalId: 't', value: null }).key, value).value!.partitions).toEqual([]);
  });

  it('tombstoneHasNoValue', () => {
    const encoded = encodeTransactionLogRecord({ transactionalId: 'gone', value: null });
    expect(encoded.value).toBeNull();
    expect(decodeTransactionLogRecord(encoded.key, null)).toEqual({ transactionalId: 'gone', value: null });
  });

  it('readsFlexibleValueV1WithTaggedFields', () => {
    // v1: compact strings/arrays (length + 1), then a tagged-field section: tag 0 PreviousProducerId, tag 2 ClientTransactionVersion.
    const v1 = Buffer.concat([
      int16(1),
      int64(77n),
      int16(9),
      int32(1000),
      Buffer.from([4]),
      Buffer.from([2]), // one topic
      Buffer.from([7]),
      Buffer.from('orders'),
      Buffer.from([2]), // one partition
      int32(3),
      Buffer.from([0]), // topic's tagged fields
      int64(5n),
      int64(4n),
      Buffer.from([2]), // two tagged fields
      Buffer.from([0, 8]),
      int64(76n),
      Buffer.from([2, 2]),
      int16(2),
    ]);
    const decoded = decodeTransactionLogRecord(Buffer.concat([int16(0), str('x')]), v1).value!;
    expect(decoded).toEqual({
      producerId: 77n,
      producerEpoch: 9,
      transactionTimeoutMs: 1000,
      state: TransactionState.CompleteCommit,
      partitions: [{ topic: 'orders', partition: 3 }],
      lastUpdateTimestampMs: 5n,
      startTimestampMs: 4n,
    });
  });

  it('refusesAStatusKafkaDoesNotDefine', () => {
    const { key, value } = encodeTransactionLogRecord({ transactionalId: 't', value: ongoing });
    value!.writeInt8(9, 2 + 8 + 2 + 4);
    expect(() => decodeTransactionLogRecord(key, value)).toThrow(/status 9/);
  });

  it('roundTripsAnyValue', () => {
    const partition = fc.record({ topic: fc.stringMatching(/^[a-z]{1,8}$/), partition: fc.integer({ min: 0, max: 1000 }) });
    const value = fc.record({
      producerId: fc.bigInt({ min: 0n, max: 2n ** 62n }),
      producerEpoch: fc.integer({ min: 0, max: 32_767 }),
      transactionTimeoutMs: fc.integer({ min: 1, max: 900_000 }),
      state: fc.constantFrom(1, 2, 3, 4, 5) as fc.Arbitrary<TransactionState>,
      partitions: fc.uniqueArray(partition, { selector: (p) => `${p.topic}:${p.partition}`, maxLength: 10 }),
      lastUpdateTimestampMs: fc.bigInt({ min: 0n, max: 2n ** 50n }),
      startTimestampMs: fc.bigInt({ min: -1n, max: 2n ** 50n }),
    });
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), value, (transactionalId, v) => {
        const encoded = encodeTransactionLogRecord({ transactionalId, value: v });
        const decoded = decodeTransactionLogRecord(encoded.key, encoded.value);
        expect(decoded.transactionalId).toBe(transactionalId);
        // Grouped by topic on the way in: compare as sets.
        const key = (p: { topic: string; partition: number }) => `${p.topic}:${p.partition}`;
        expect(decoded.value!.partitions.map(key).sort()).toEqual(v.partitions.map(key).sort());
        expect({ ...decoded.value!, partitions: [] }).toEqual({ ...v, partitions: [] });
      }),
    );
  });
});
