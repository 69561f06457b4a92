import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DelayedFetch, DelayedFetchPurgatory, EMPTY_LISTS_SWEPT_EVERY_MS } from './delayed-fetch.js';

const KEYS = ['a-0', 'a-1', 'b-0', 'b-1'];

type Op = { kind: 'watch'; keys: string[] } | { kind: 'complete'; at: number } | { kind: 'data'; key: string } | { kind: 'changed'; key: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('watch' as const), keys: fc.subarray(KEYS, { minLength: 1 }) }),
  fc.record({ kind: fc.constant('complete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('data' as const), key: fc.constantFrom(...KEYS) }),
  fc.record({ kind: fc.constant('changed' as const), key: fc.constantFrom(...KEYS) }),
);

describe('DelayedFetchPurgatory', () => {
  it('wakesExactlyItsWatchers: through any watches, completions, appends and partition changes, each partition is watched by the fetches parked on it, an append or change wakes those and no other', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        const purgatory = new DelayedFetchPurgatory();
        const parked: DelayedFetch[] = [];
        for (const o of ops) {
          if (o.kind === 'watch') {
            const fetch = purgatory.watch(o.keys);
            void fetch.wait(1, 60_000);
            parked.push(fetch);
          } else if (o.kind === 'complete') {
            if (parked.length > 0) parked.splice(o.at % parked.length, 1)[0]!.complete();
          } else {
            const woken = parked.filter((f) => f.keys.includes(o.key));
            if (o.kind === 'data') purgatory.dataArrived(o.key, 10);
            else purgatory.partitionChanged(o.key);
            for (const f of woken) expect(f.done).toBe(true);
            for (const f of parked.filter((f) => !woken.includes(f))) expect(f.done).toBe(false);
            parked.splice(0, parked.length, ...parked.filter((f) => !woken.includes(f)));
          }
          for (const key of KEYS) expect(purgatory.watching(key)).toBe(parked.filter((f) => f.keys.includes(key)).length);
        }
        purgatory.completeAll();
        for (const f of parked) expect(f.done).toBe(true);
        for (const key of KEYS) expect(purgatory.watching(key)).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it("keepsListsBetweenFetches: a partition's watcher list outlives the fetch for the next one, and lists no fetch used for a sweep interval are dropped", () => {
    let now = 0;
    const purgatory = new DelayedFetchPurgatory({ clock: () => now });
    const first = purgatory.watch(['a-0', 'a-1']);
    first.complete();
    expect(purgatory.watchedKeys).toBe(2);
    expect(purgatory.watching('a-0')).toBe(0);
    const second = purgatory.watch(['a-0']);
    now = EMPTY_LISTS_SWEPT_EVERY_MS - 1;
    purgatory.watch(['b-0']).complete();
    expect(purgatory.watchedKeys).toBe(3);
    now = EMPTY_LISTS_SWEPT_EVERY_MS;
    purgatory.watch(['b-0']).complete();
    // a-0 has a parked fetch: kept; a-1 and b-0 are empty: dropped.
    expect(purgatory.watchedKeys).toBe(1);
    expect(purgatory.watching('a-0')).toBe(1);
    second.complete();
    expect(purgatory.watching('a-0')).toBe(0);
  });
});
