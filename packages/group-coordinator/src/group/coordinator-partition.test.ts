import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coordinatorPartition, javaStringHashCode, kafkaAbs } from './coordinator-partition.js';

// Expected values worked out by hand from Java's definition (s[0]·31^(n-1) + … + s[n-1], 32-bit wrap-around);
// 'my-group' → 12 and 'kafka-txn-0' → 30 are also what jshell prints for Kafka's formula with 50 partitions.
describe('coordinatorPartition', () => {
  it('javaHashVectors: ASCII, non-ASCII, a surrogate pair and negative hashes match Java', () => {
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('a')).toBe(97);
    expect(javaStringHashCode('ab')).toBe(97 * 31 + 98);
    // U+00E9 is one UTF-16 unit, 233.
    expect(javaStringHashCode('é')).toBe(233);
    // U+65E5 U+672C: 26085·31 + 26412.
    expect(javaStringHashCode('日本')).toBe(835047);
    // U+1F600 is the surrogates 0xD83D 0xDE00: 55357·31 + 56832.
    expect(javaStringHashCode('😀')).toBe(1772899);
    expect(javaStringHashCode('Hello World')).toBe(-862545276);
    expect(javaStringHashCode('my-group')).toBe(-1906497762);
    expect(javaStringHashCode('groupé')).toBe(-1237460406);
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
  });

  it('kafkaPartitionVectors: abs(hash) % 50, with Integer.MIN_VALUE mapped to 0', () => {
    expect(coordinatorPartition('a', 50)).toBe(47);
    expect(coordinatorPartition('é', 50)).toBe(33);
    expect(coordinatorPartition('日本', 50)).toBe(47);
    expect(coordinatorPartition('😀', 50)).toBe(49);
    expect(coordinatorPartition('my-group', 50)).toBe(12);
    expect(coordinatorPartition('kafka-txn-0', 50)).toBe(30);
    expect(coordinatorPartition('Hello World', 50)).toBe(26);
    expect(coordinatorPartition('groupé', 50)).toBe(6);
    expect(coordinatorPartition('polygenelubricants', 50)).toBe(0);
    expect(coordinatorPartition('my-group', 3)).toBe(0);
  });

  it('absNotMask: Utils.abs, not toPositive — they part ways on every negative hash but MIN_VALUE', () => {
    expect(kafkaAbs(-1906497762)).toBe(1906497762);
    expect(-1906497762 & 0x7fffffff).toBe(240985886);
    expect(kafkaAbs(-2147483648)).toBe(0);
    expect(kafkaAbs(2147483647)).toBe(2147483647);
  });

  it('alwaysAPartition: any string lands in [0, partitionCount)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite' }), fc.integer({ min: 1, max: 1000 }), (key, count) => {
        const partition = coordinatorPartition(key, count);
        return Number.isInteger(partition) && partition >= 0 && partition < count;
      }),
      { numRuns: 300 },
    );
  });
});
