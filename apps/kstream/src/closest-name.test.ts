import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closestName, editDistance } from './closest-name.js';

const name = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '.'), maxLength: 12 });

describe('editDistance', () => {
  it('typingMistakes count one each: a character added, dropped, changed, or two swapped', () => {
    expect(editDistance('num.partitions', 'num.partitions')).toBe(0);
    expect(editDistance('num.partition', 'num.partitions')).toBe(1);
    expect(editDistance('num.partitionss', 'num.partitions')).toBe(1);
    expect(editDistance('num.partitiona', 'num.partitions')).toBe(1);
    expect(editDistance('num.partitoins', 'num.partitions')).toBe(1);
    expect(editDistance('num.partiton', 'num.partitions')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('isAMetricLikeDistance: zero only for equal names, symmetric, at most the longer length', () => {
    fc.assert(
      fc.property(name, name, (a, b) => {
        const d = editDistance(a, b);
        expect(d === 0).toBe(a === b);
        expect(editDistance(b, a)).toBe(d);
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
      }),
      { numRuns: 500 },
    );
  });
});

describe('closestName', () => {
  const known = ['num.partitions', 'log.retention.hours', 'log.retention.ms', 'log.segment.bytes'];

  it('suggestsTheNearestKnownName for a misspelling', () => {
    expect(closestName('num.partiton', known)).toBe('num.partitions');
    expect(closestName('log.retention.mss', known)).toBe('log.retention.ms');
    expect(closestName('log.segmnet.bytes', known)).toBe('log.segment.bytes');
  });

  it('suggestsNothing for a name far from every known one', () => {
    expect(closestName('colour', known)).toBeUndefined();
    expect(closestName('zookeeper.connect', known)).toBeUndefined();
    expect(closestName('x', [])).toBeUndefined();
  });
});
