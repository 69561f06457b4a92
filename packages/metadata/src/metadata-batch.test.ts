import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it, vi } from 'vitest';
import { packArrayChunksInTurns, packArrayInTurns, unpackArray } from './metadata-batch.js';

// The codec's settings (metadata-batch.ts): a value packed alone, as a metadata log frame holds one record.
const alone = new Packr({ useRecords: false, mapsAsObjects: true });

/** Plain values as records and replies hold them: maps of strings, integers, bigints, lists, null. */
const plainValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string(),
    fc.integer(),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('packArrayChunksInTurns', () => {
  it('packsAnArray32OfEachValueAsPackedAlone, whatever the count: below, at and past a group of 256 values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(plainValue, { maxLength: 40 }), fc.integer({ min: 0, max: 700 }), async (sample, count) => {
        const values = Array.from({ length: count }, (_, i) => sample[i % Math.max(1, sample.length)] ?? i);
        const packed = Buffer.concat(await packArrayChunksInTurns(values));
        const expected = Buffer.alloc(5);
        expected[0] = 0xdd;
        expected.writeUInt32BE(values.length, 1);
        expect(packed).toEqual(Buffer.concat([expected, ...values.map((v) => Buffer.from(alone.pack(v)))]));
        expect(unpackArray(packed)).toEqual(values);
      }),
      { numRuns: 60 },
    );
  });

  it('givesTheEventLoopATurnBetweenChunks: a long list comes in several chunks that join to the whole', async () => {
    const values = Array.from({ length: 5_000 }, (_, i) => ({ type: 'Partition', partition: i, replicas: [1, 2, 3] }));
    let now = 0;
    // Every reading of the clock is 4 ms later: a turn (10 ms) is due every third group.
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => (now += 4));
    try {
      const chunks = await packArrayChunksInTurns(values);
      expect(chunks.length).toBeGreaterThan(3);
      expect(unpackArray(chunks)).toEqual(values);
      expect(unpackArray(await packArrayInTurns(values))).toEqual(values);
    } finally {
      clock.mockRestore();
    }
  });
});
