import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HostingSlots } from './hosting-slots.js';

/** A change that runs until released, recording when it started. */
interface Held {
  readonly id: number;
  release(fail: boolean): void;
}

describe('HostingSlots', () => {
  it('neverMoreThanTheLimit: whatever order changes finish in, at most `limit` run at once, each runs once, they start first come first served, and a failed one frees its slot and rejects', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 40 }), fc.infiniteStream(fc.tuple(fc.nat(), fc.boolean())), async (limit, count, picks) => {
        const slots = new HostingSlots(limit);
        const running: Held[] = [];
        const started: number[] = [];
        let maxRunning = 0;
        const outcomes = Array.from({ length: count }, (_, id) =>
          slots
            .run(
              () =>
                new Promise<number>((resolve, reject) => {
                  started.push(id);
                  running.push({ id, release: (fail) => (fail ? reject(new Error(`change ${id} failed`)) : resolve(id)) });
                  maxRunning = Math.max(maxRunning, running.length);
                }),
            )
            .then(
              (value) => ({ id, value }),
              (error: Error) => ({ id, error: error.message }),
            ),
        );
        const failed = new Set<number>();
        const pick = picks[Symbol.iterator]();
        for (let finished = 0; finished < count; finished++) {
          await new Promise((resolve) => setImmediate(resolve));
          expect(running.length).toBe(Math.min(limit, count - finished));
          expect(slots.waiting).toBe(Math.max(0, count - finished - limit));
          const [at, fail] = pick.next().value as [number, boolean];
          const [held] = running.splice(at % running.length, 1);
          if (fail) failed.add(held!.id);
          held!.release(fail);
        }
        const results = await Promise.all(outcomes);
        expect(maxRunning).toBeLessThanOrEqual(limit);
        expect(started).toEqual(Array.from({ length: count }, (_, id) => id));
        for (const r of results) expect(r).toEqual(failed.has(r.id) ? { id: r.id, error: `change ${r.id} failed` } : { id: r.id, value: r.id });
        expect(slots.waiting).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('throwingChange: a change that throws before its promise frees its slot for the next', async () => {
    const slots = new HostingSlots(1);
    const first = slots.run(() => {
      throw new Error('no promise');
    });
    const second = slots.run(async () => 'ran');
    await expect(first).rejects.toThrow('no promise');
    await expect(second).resolves.toBe('ran');
  });

  it('badLimit: a limit that is not a positive integer is refused with what it was', () => {
    expect(() => new HostingSlots(0)).toThrow('hosting slots must be a positive integer, got 0');
    expect(() => new HostingSlots(1.5)).toThrow('got 1.5');
  });
});
