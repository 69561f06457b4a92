import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { LeaderEpochFileCache, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET } from './leader-epoch-file-cache.js';
import { LogDirIo } from './log-dir-io.js';
import { tempLogDir } from './log-test-dir.test-support.js';

async function cacheWith(entries: [number, bigint][]): Promise<LeaderEpochFileCache> {
  const dir = tempLogDir();
  const cache = await LeaderEpochFileCache.load(new LogDirIo(dir), join(dir, 'leader-epoch-checkpoint'));
  for (const [epoch, offset] of entries) cache.assign(epoch, offset);
  return cache;
}

describe('LeaderEpochFileCache', () => {
  it('assign: same epoch at a later offset changes nothing; an earlier one moves the start', async () => {
    const cache = await cacheWith([[2, 10n]]);
    expect(cache.assign(2, 20n)).toBe(false);
    expect(cache.assign(2, 5n)).toBe(true);
    expect(cache.entries()).toEqual([{ epoch: 2, startOffset: 5n }]);
    expect(cache.assign(-1, 30n)).toBe(false);
  });

  it('assignNonMonotonic: a new entry removes those at or after it by epoch or offset', async () => {
    const cache = await cacheWith([
      [1, 0n],
      [2, 10n],
      [4, 20n],
    ]);
    cache.assign(3, 15n);
    expect(cache.entries()).toEqual([
      { epoch: 1, startOffset: 0n },
      { epoch: 2, startOffset: 10n },
      { epoch: 3, startOffset: 15n },
    ]);
    cache.assign(5, 12n);
    expect(cache.entries()).toEqual([
      { epoch: 1, startOffset: 0n },
      { epoch: 2, startOffset: 10n },
      { epoch: 5, startOffset: 12n },
    ]);
  });

  it("endOffsetFor: Kafka's answers for latest, middle, unknown and undefined epochs", async () => {
    const cache = await cacheWith([
      [2, 10n],
      [4, 20n],
      [7, 30n],
    ]);
    const leo = 45n;
    expect(cache.endOffsetFor(7, leo)).toEqual({ epoch: 7, endOffset: 45n });
    expect(cache.endOffsetFor(4, leo)).toEqual({ epoch: 4, endOffset: 30n });
    expect(cache.endOffsetFor(5, leo)).toEqual({ epoch: 4, endOffset: 30n });
    expect(cache.endOffsetFor(1, leo)).toEqual({ epoch: 1, endOffset: 10n });
    expect(cache.endOffsetFor(8, leo)).toEqual({ epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET });
    expect(cache.endOffsetFor(UNDEFINED_EPOCH, leo)).toEqual({ epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET });
    const empty = await cacheWith([]);
    expect(empty.endOffsetFor(0, leo)).toEqual({ epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET });
  });

  it('truncateFromEnd: drops entries starting at or after the new end', async () => {
    const cache = await cacheWith([
      [2, 10n],
      [4, 20n],
      [7, 30n],
    ]);
    expect(cache.truncateFromEnd(31n)).toBe(false);
    expect(cache.truncateFromEnd(20n)).toBe(true);
    expect(cache.entries()).toEqual([{ epoch: 2, startOffset: 10n }]);
  });

  it('truncateFromStart: entries at or before the new start collapse into the one in force there', async () => {
    const cache = await cacheWith([
      [2, 10n],
      [4, 20n],
      [7, 30n],
    ]);
    expect(cache.truncateFromStart(5n)).toBe(false);
    expect(cache.truncateFromStart(25n)).toBe(true);
    expect(cache.entries()).toEqual([
      { epoch: 4, startOffset: 25n },
      { epoch: 7, startOffset: 30n },
    ]);
    expect(cache.truncateFromStart(25n)).toBe(false);
    expect(cache.truncateFromStart(30n)).toBe(true);
    expect(cache.entries()).toEqual([{ epoch: 7, startOffset: 30n }]);
    expect(cache.epochForOffset(29n)).toBeUndefined();
    expect(cache.epochForOffset(31n)).toBe(7);
  });

  it('reopen: flushed entries come back', async () => {
    const dir = tempLogDir();
    const path = join(dir, 'leader-epoch-checkpoint');
    const io = new LogDirIo(dir);
    const cache = await LeaderEpochFileCache.load(io, path);
    cache.assign(0, 0n);
    cache.assign(3, 77n);
    await cache.flush();
    expect((await LeaderEpochFileCache.load(io, path)).entries()).toEqual(cache.entries());
  });
});
