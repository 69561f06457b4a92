import { describe, expect, it } from 'vitest';
import { logConfig, type LogConfig } from './log-config.js';
import { filthiestLog, logToClean, type CleanerLogView } from './log-cleaner-manager.js';

const NOW = 1_000_000;

/** A log of 100-byte segments of 10 offsets each, the last active; segment i's records are `ages[i]` ms old. */
function view(partition: string, ages: number[], config: Partial<LogConfig> = {}, lastStableOffset?: bigint): CleanerLogView {
  const segments = ages.map((age, i) => ({
    baseOffset: BigInt(i * 10),
    size: 100,
    nextOffset: BigInt(i * 10 + 10),
    offsetIndexBytes: 0,
    timeIndexBytes: 0,
    largestTimestamp: BigInt(NOW - age),
    firstTimestamp: BigInt(NOW - age - 1),
  }));
  const end = BigInt(ages.length * 10);
  return { partition, config: logConfig({ cleanupPolicy: ['compact'], ...config }), segments, logStartOffset: 0n, logEndOffset: end, lastStableOffset: lastStableOffset ?? end };
}

describe('choosing what to clean', () => {
  it('activeSegmentNeverCleanable: the dirty section ends at its base offset', () => {
    expect(logToClean(view('t-0', [9, 9, 9]), undefined, NOW)).toMatchObject({ firstDirtyOffset: 0n, firstUncleanableOffset: 20n, cleanableBytes: 200, cleanableRatio: 1 });
  });

  it('dirtyRatioFromTheCheckpoint: clean bytes below the first dirty offset, dirty from it', () => {
    expect(logToClean(view('t-0', [9, 9, 9, 9, 9]), 30n, NOW)).toMatchObject({ cleanBytes: 300, cleanableBytes: 100, cleanableRatio: 0.25 });
    // A checkpoint outside the log (truncation, a recreated topic) starts again at the log start.
    expect(logToClean(view('t-0', [9, 9]), 99n, NOW).firstDirtyOffset).toBe(0n);
  });

  it('minCompactionLagHoldsYoungSegments: the first dirty segment younger than the lag ends the dirty section', () => {
    const toClean = logToClean(view('t-0', [500, 200, 50, 0], { minCompactionLagMs: 100 }), undefined, NOW);
    expect(toClean.firstUncleanableOffset).toBe(20n);
  });

  it('lastStableOffsetBoundsTheClean: an open transaction or the high watermark', () => {
    expect(logToClean(view('t-0', [9, 9, 9, 9], {}, 15n), undefined, NOW).firstUncleanableOffset).toBe(15n);
  });

  it('ratioThresholdAndFilthiestFirst: logs above min.cleanable.dirty.ratio (strictly), the dirtiest chosen; non-compacted logs never', () => {
    const half = view('half-0', [9, 9, 9, 9, 9]);
    const quarter = view('quarter-0', [9, 9, 9, 9, 9], { minCleanableDirtyRatio: 0.2 });
    const deleteOnly = view('delete-0', [9, 9, 9], { cleanupPolicy: ['delete'] });
    const checkpoints: Record<string, bigint> = { 'half-0': 20n, 'quarter-0': 30n };
    const chosen = (logs: CleanerLogView[]) => filthiestLog(logs, (l) => checkpoints[l.partition], NOW)?.log.partition;
    expect(chosen([half, deleteOnly])).toBeUndefined(); // 0.5 is not above 0.5
    expect(chosen([half, quarter, deleteOnly])).toBe('quarter-0');
    checkpoints['half-0'] = 10n;
    expect(chosen([half, quarter])).toBe('half-0');
  });

  it('maxCompactionLagForcesAClean: dirty records older than max.compaction.lag.ms are cleaned whatever the ratio', () => {
    // A ratio of 1 is never above min.cleanable.dirty.ratio 1: only the lag can make these logs due.
    const old = view('old-0', [5000, 9, 9, 9], { minCleanableDirtyRatio: 1, maxCompactionLagMs: 1000 });
    expect(filthiestLog([old], () => 0n, NOW)?.toClean).toMatchObject({ needCompactionNow: true, cleanableRatio: 1 });
    expect(filthiestLog([old], () => 10n, NOW)).toBeUndefined(); // the old segment is clean
    const young = view('young-0', [500, 9, 9, 9], { minCleanableDirtyRatio: 1, maxCompactionLagMs: 1000 });
    expect(filthiestLog([young], () => 0n, NOW)).toBeUndefined();
  });
});
