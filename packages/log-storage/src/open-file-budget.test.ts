import { describe, expect, it } from 'vitest';
import { OpenFileBudget, type EvictableFile } from './open-file-budget.js';

/** A file that records its evictions in `log`. */
function file(name: string, log: string[]): EvictableFile {
  return {
    evict: () => {
      log.push(name);
      return Promise.resolve();
    },
  };
}

/** Whether `promise` has settled once pending callbacks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
}

describe('OpenFileBudget', () => {
  it('grants slots up to its limit, then closes the least recently used idle file to make room', async () => {
    const budget = new OpenFileBudget(2);
    const evicted: string[] = [];
    const a = file('a', evicted);
    const b = file('b', evicted);
    await budget.acquire();
    budget.idle(a);
    await budget.acquire();
    budget.idle(b);
    budget.idle(a); // a used again: b is now the least recently used
    await budget.acquire();
    expect(evicted).toEqual(['b']);
    expect(budget.open).toBe(2);
    expect(budget.evictions).toBe(1);
  });

  it('never closes a file in use; an open waits for the next release, first come first served', async () => {
    const budget = new OpenFileBudget(1);
    const evicted: string[] = [];
    const a = file('a', evicted);
    await budget.acquire();
    budget.idle(a);
    budget.busy(a);
    const first = budget.acquire();
    const second = budget.acquire();
    expect(await settled(first)).toBe(false);
    budget.release();
    expect(await settled(first)).toBe(true);
    expect(await settled(second)).toBe(false);
    budget.release();
    expect(await settled(second)).toBe(true);
    expect(evicted).toEqual([]);
    budget.release();
    expect(budget.open).toBe(0);
  });

  it('hands the slot of a file that becomes idle to a waiting open', async () => {
    const budget = new OpenFileBudget(1);
    const evicted: string[] = [];
    const a = file('a', evicted);
    await budget.acquire();
    const waiting = budget.acquire();
    expect(await settled(waiting)).toBe(false);
    budget.idle(a);
    expect(await settled(waiting)).toBe(true);
    expect(evicted).toEqual(['a']);
    expect(budget.open).toBe(1);
  });

  it('frees the slot of a file that leaves it, and counts such files', async () => {
    const budget = new OpenFileBudget(1);
    await budget.acquire();
    budget.leave();
    expect(budget.open).toBe(0);
    expect(budget.outside).toBe(1);
    await budget.acquire();
    budget.returned();
    expect(budget.outside).toBe(0);
    expect(budget.peakOutside).toBe(1);
  });

  it('refuses a limit below one file', () => {
    expect(() => new OpenFileBudget(0)).toThrow(/at least 1 file, got 0/);
    expect(() => new OpenFileBudget(Number.NaN)).toThrow(RangeError);
  });
});
