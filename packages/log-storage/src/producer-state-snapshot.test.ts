import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProducerStateEntry } from './producer-state-entry.js';
import { CorruptProducerSnapshotError, decodeProducerSnapshot, encodeProducerSnapshot } from './producer-state-snapshot.js';

const entryArb = fc
  .record({
    producerId: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
    epoch: fc.integer({ min: 0, max: 32767 }),
    coordinatorEpoch: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
    timestamp: fc.bigInt({ min: -1n, max: 2n ** 62n }),
    txnFirstOffset: fc.bigInt({ min: -1n, max: 2n ** 62n }),
    lastBatch: fc.option(
      fc.record({ lastSeq: fc.integer({ min: 0, max: 2 ** 31 - 1 }), offsetDelta: fc.integer({ min: 0, max: 1000 }), lastOffset: fc.bigInt({ min: 1000n, max: 2n ** 62n }) }),
      { nil: undefined },
    ),
  })
  .map((r) => {
    const entry = new ProducerStateEntry(r.producerId, r.epoch, r.coordinatorEpoch, r.timestamp, r.txnFirstOffset);
    if (r.lastBatch !== undefined) {
      const { lastSeq, offsetDelta, lastOffset } = r.lastBatch;
      const firstSeq = lastSeq >= offsetDelta ? lastSeq - offsetDelta : 2 ** 31 - 1 - (offsetDelta - lastSeq) + 1;
      entry.batches.push({ firstSeq, lastSeq, firstOffset: lastOffset - BigInt(offsetDelta), lastOffset, timestamp: r.timestamp });
    }
    return entry;
  });

describe('producer state snapshot (ProducerSnapshot v1)', () => {
  it('roundTripsEveryEntryWithItsLastBatch', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 20 }), (entries) => {
        expect(decodeProducerSnapshot(encodeProducerSnapshot(entries))).toEqual(entries);
      }),
    );
  });

  it('keepsOnlyTheLastOfSeveralBatches: a reload recognises a retry of the last batch only, as Kafka', () => {
    const entry = new ProducerStateEntry(7n, 1);
    entry.addBatch(1, { firstSeq: 0, lastSeq: 2, firstOffset: 0n, lastOffset: 2n, timestamp: 5n });
    entry.addBatch(1, { firstSeq: 3, lastSeq: 4, firstOffset: 3n, lastOffset: 4n, timestamp: 6n });
    const [loaded] = decodeProducerSnapshot(encodeProducerSnapshot([entry]));
    expect(loaded!.batches).toEqual([{ firstSeq: 3, lastSeq: 4, firstOffset: 3n, lastOffset: 4n, timestamp: 6n }]);
    expect(loaded!.lastTimestamp).toBe(6n);
  });

  it('refusesAnyFlippedByte: version, crc, count or entry', () => {
    const entry = new ProducerStateEntry(7n, 1, 3, 9n, 4n);
    const good = encodeProducerSnapshot([entry, new ProducerStateEntry(8n, 0)]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const bad = Buffer.from(good);
        bad[at]! ^= flip;
        expect(() => decodeProducerSnapshot(bad)).toThrow(CorruptProducerSnapshotError);
      }),
    );
  });

  it('refusesATruncatedFile', () => {
    const good = encodeProducerSnapshot([new ProducerStateEntry(7n, 1)]);
    for (const length of [0, 5, good.length - 1]) expect(() => decodeProducerSnapshot(good.subarray(0, length))).toThrow(CorruptProducerSnapshotError);
  });
});
