import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { murmur2, toPositive } from './murmur2.js';
import { partitionForKey } from './partition-for-key.js';

// kafkajs 2.x's Java-compatible murmur2 (its DefaultPartitioner's), written
// independently of ours with 64-bit Long arithmetic: a second implementation
// to agree with. Its LegacyPartitioner's hash is not Java's and is not used.
const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;

const utf8 = (s: string) => new TextEncoder().encode(s);

// Utils.murmur2 results from the Java client: Kafka's own UtilsTest.testMurmur2
// and Akka's Murmur2Spec, which pins the Java implementation's outputs.
const javaHashes: ReadonlyArray<readonly [string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
  ['1', -1993445489],
  ['12', 126087238],
  ['123', -267702483],
  ['1234', -1614185708],
  ['12345', -1188365604],
];

// The Java client's partition, toPositive(murmur2(key)) % n, for 3, 6, 10 and 100 partitions.
const javaPartitions: ReadonlyArray<readonly [string, readonly [number, number, number, number]]> = [
  ['21', [0, 0, 0, 40]],
  ['foobar', [0, 0, 6, 66]],
  ['a-little-bit-long-string', [2, 2, 2, 12]],
  ['a-little-bit-longer-string', [2, 5, 9, 19]],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', [2, 5, 7, 77]],
  ['abc', [0, 3, 7, 7]],
  ['1', [0, 3, 9, 59]],
  ['12', [1, 4, 8, 38]],
  ['123', [2, 5, 5, 65]],
  ['1234', [0, 0, 0, 40]],
  ['12345', [2, 2, 4, 44]],
];

describe('murmur2', () => {
  it.each(javaHashes)('javaHashVector %s', (key, hash) => {
    expect(murmur2(utf8(key))).toBe(hash);
  });

  it.each(javaPartitions)('javaPartitionVector %s', (key, [p3, p6, p10, p100]) => {
    expect([3, 6, 10, 100].map((n) => partitionForKey(key, n))).toEqual([p3, p6, p10, p100]);
  });

  it('agreesWithKafkajsForRandomBytesAndPartitionCounts', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 1, max: 10_000 }), (bytes, partitions) => {
        const theirs = kafkajsMurmur2(Buffer.from(bytes));
        expect(murmur2(bytes)).toBe(theirs);
        expect(partitionForKey(bytes, partitions)).toBe(toPositive(theirs) % partitions);
      }),
      { numRuns: 500 },
    );
  });

  it('agreesWithKafkajsForRandomUnicodeStringKeys', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 24 }), fc.integer({ min: 1, max: 10_000 }), (key, partitions) => {
        expect(partitionForKey(key, partitions)).toBe(toPositive(kafkajsMurmur2(key)) % partitions);
      }),
      { numRuns: 300 },
    );
  });

  it('everyTailLength', () => {
    // Lengths 0..8 walk through each of the 0–3 leftover-byte branches twice.
    const bytes = Uint8Array.from([0xff, 0x80, 0x7f, 0x00, 0xc3, 0xa9, 0x01, 0xfe]);
    for (let length = 0; length <= bytes.length; length++) {
      const key = bytes.subarray(0, length);
      expect(murmur2(key)).toBe(kafkajsMurmur2(Buffer.from(key)));
    }
  });

  it('stringAndBufferKeysGiveTheSamePartition', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 32 }), fc.integer({ min: 1, max: 1000 }), (key, partitions) => {
        const expected = partitionForKey(key, partitions);
        expect(partitionForKey(Buffer.from(key, 'utf8'), partitions)).toBe(expected);
        expect(partitionForKey(new Uint8Array(Buffer.from(key, 'utf8')), partitions)).toBe(expected);
      }),
      { numRuns: 300 },
    );
    expect(partitionForKey('héllo wörld ✓', 7)).toBe(partitionForKey(Buffer.from('héllo wörld ✓'), 7));
  });

  it('negativeHashClearsTheSignBitInsteadOfNegating', () => {
    const hash = murmur2(utf8('21'));
    expect(hash).toBeLessThan(0);
    // Math.abs would give partition 8 of 10; Java clears the sign bit and gives 0.
    expect(Math.abs(hash) % 10).toBe(8);
    expect(partitionForKey('21', 10)).toBe(0);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(-1)).toBe(0x7fffffff);
  });

  it('refusesAPartitionCountBelowOne', () => {
    expect(() => partitionForKey('k', 0)).toThrow(/partition count must be a positive integer, got 0/);
  });
});
