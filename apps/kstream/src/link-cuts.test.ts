import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkCuts } from './link-cuts.js';

describe('LinkCuts', () => {
  it('aCutIsTheSameFromEitherEnd', () => {
    const cuts = new LinkCuts();
    cuts.add(3, 1);
    expect(cuts.has(1, 3)).toBe(true);
    expect(cuts.has(3, 1)).toBe(true);
    expect(cuts.peersOf(1)).toEqual([3]);
    expect(cuts.peersOf(3)).toEqual([1]);
    expect(cuts.pairs()).toEqual([[1, 3]]);
    cuts.delete(1, 3);
    expect(cuts.has(3, 1)).toBe(false);
  });

  it('matchesASetOfUnorderedPairsUnderAnyCutsAndHeals', () => {
    const broker = fc.integer({ min: 1, max: 6 });
    const op = fc.tuple(fc.boolean(), broker, broker).filter(([, a, b]) => a !== b);
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const cuts = new LinkCuts();
        const model = new Set<string>();
        for (const [cut, a, b] of ops) {
          const k = `${Math.min(a, b)}-${Math.max(a, b)}`;
          if (cut) cuts.add(a, b), model.add(k);
          else cuts.delete(a, b), model.delete(k);
        }
        for (let a = 1; a <= 6; a++) {
          const expected = [...model].flatMap((k) => {
            const [x, y] = k.split('-').map(Number) as [number, number];
            return x === a ? [y] : y === a ? [x] : [];
          });
          expect(cuts.peersOf(a)).toEqual(expected.sort((x, y) => x - y));
        }
      }),
    );
  });
});
