import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openLog, manualClock } from './partition-log.test-support.js';
import { batchesIn, makeBatch } from './record-batch.test-support.js';
import { OffsetOutOfRangeError } from './storage-errors.js';
import { partitionDir, tempLogDir } from './log-test-dir.test-support.js';

async function appendBatches(log: Awaited<ReturnType<typeof openLog>>, count: number, records = 3, epoch = 0): Promise<void> {
  for (let i = 0; i < count; i++) await log.appendAsLeader(makeBatch({ records, bodyBytes: 35, fill: i }), epoch);
}

describe('PartitionLog truncation and log start offset', () => {
  it('truncate: to a batch boundary keeps everything below; appends continue from there', async () => {
    const log = await openLog(tempLogDir());
    await appendBatches(log, 5);
    expect(await log.truncateTo(9n)).toBe(true);
    expect(log.logEndOffset).toBe(9n);
    expect(log.size).toBe(3 * 96);
    expect((await log.appendAsLeader(makeBatch({ fill: 42 }), 0)).firstOffset).toBe(9n);
    expect(batchesIn((await log.read(9n)).records)[0]!.fill).toBe(42);
    expect(await log.truncateTo(100n)).toBe(false);
    await log.close();
  });

  it('truncateToMiddleOfBatch: the batch holding the offset goes whole; the log ends on its base offset', async () => {
    const log = await openLog(tempLogDir());
    await appendBatches(log, 5);
    expect(await log.truncateTo(7n)).toBe(true);
    expect(log.logEndOffset).toBe(6n);
    expect(batchesIn((await log.read(0n, { maxBytes: 1 << 20 })).records).map((b) => b.lastOffset)).toEqual([2n, 5n]);
    await log.close();
  });

  it('truncateAcrossSegments: later segments are deleted, the one holding the offset becomes active', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir, { config: { segmentBytes: 200 } });
    await appendBatches(log, 6);
    expect(log.segmentBaseOffsets()).toEqual([0n, 6n, 12n]);
    await log.truncateTo(7n);
    expect(log.segmentBaseOffsets()).toEqual([0n, 6n]);
    expect(log.logEndOffset).toBe(6n);
    await log.appendAsLeader(makeBatch({ fill: 9 }), 0);
    await log.close();
    expect(readdirSync(partitionDir(dir)).filter((n) => n.endsWith('.log'))).toEqual(['00000000000000000000.log', '00000000000000000006.log']);
    const reopened = await openLog(dir, { config: { segmentBytes: 200 }, recoveryPoint: 7n });
    expect(reopened.logEndOffset).toBe(7n);
    expect(batchesIn((await reopened.read(6n)).records)[0]!.fill).toBe(9);
    await reopened.close();
  });

  it('truncateEpochs: the leader epoch cache loses entries at or after the new end', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    await appendBatches(log, 2, 3, 1);
    await appendBatches(log, 2, 3, 2);
    await log.truncateTo(6n);
    expect(log.leaderEpochCache.entries()).toEqual([{ epoch: 1, startOffset: 0n }]);
    expect(readFileSync(join(partitionDir(dir), 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n1\n1 0\n');
    await log.close();
  });

  it('truncateAtEndDropsEmptyEpoch: an epoch started at the log end with nothing appended leaves the cache on a no-op truncation', async () => {
    // A leader that appended nothing in its epoch, then followed a new leader that never saw that epoch.
    const dir = tempLogDir();
    const log = await openLog(dir);
    await appendBatches(log, 2, 3, 1);
    await log.assignEpochStartOffset(4, 6n);
    expect(log.leaderEpochCache.latestEpoch()).toBe(4);
    expect(await log.truncateTo(6n)).toBe(false);
    expect(log.leaderEpochCache.entries()).toEqual([{ epoch: 1, startOffset: 0n }]);
    expect(readFileSync(join(partitionDir(dir), 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n1\n1 0\n');
    expect(log.logEndOffset).toBe(6n);
    await log.close();
  });

  it('truncateFullyAndStartAt: every segment goes, an empty log starts at the new offset', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir, { config: { segmentBytes: 200 } });
    await appendBatches(log, 6);
    await log.truncateFullyAndStartAt(1000n);
    expect(log.segmentBaseOffsets()).toEqual([1000n]);
    expect([log.logStartOffset, log.logEndOffset, log.recoveryPoint]).toEqual([1000n, 1000n, 1000n]);
    expect(log.leaderEpochCache.entries()).toEqual([]);
    expect((await log.appendAsLeader(makeBatch(), 5)).firstOffset).toBe(1000n);
    await expect(log.read(999n)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
    await log.close();
    expect(readdirSync(partitionDir(dir)).filter((n) => n.endsWith('.log'))).toEqual(['00000000000000001000.log']);
  });

  it('truncateBelowFirstSegment: empties the log and starts it at the target', async () => {
    const log = await openLog(tempLogDir());
    await log.truncateFullyAndStartAt(50n);
    await appendBatches(log, 2);
    await log.truncateTo(10n);
    expect([log.logStartOffset, log.logEndOffset]).toEqual([10n, 10n]);
    await log.close();
  });

  it('deleteRecords: the log start offset moves up and whole segments below it are deleted', async () => {
    const log = await openLog(tempLogDir(), { config: { segmentBytes: 200 } });
    await appendBatches(log, 6, 3, 1);
    expect(await log.maybeIncrementLogStartOffset(7n)).toBe(true);
    expect(log.logStartOffset).toBe(7n);
    expect(log.segmentBaseOffsets()).toEqual([6n, 12n]);
    expect(log.leaderEpochCache.entries()).toEqual([{ epoch: 1, startOffset: 7n }]);
    expect(await log.maybeIncrementLogStartOffset(5n)).toBe(false);
    await expect(log.maybeIncrementLogStartOffset(19n)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
    expect(await log.maybeIncrementLogStartOffset(18n)).toBe(true);
    expect(log.segmentBaseOffsets()).toEqual([12n]);
    await log.close();
  });

  it('retentionBytes: oldest segments go while the log stays above retention.bytes, never the active one', async () => {
    const log = await openLog(tempLogDir(), { config: { segmentBytes: 200, retentionBytes: 250, retentionMs: -1 } });
    await appendBatches(log, 7);
    expect(log.segmentBaseOffsets()).toEqual([0n, 6n, 12n, 18n]);
    expect(log.size).toBe(7 * 96);
    expect(await log.deleteOldSegments()).toBe(2);
    expect(log.segmentBaseOffsets()).toEqual([12n, 18n]);
    expect(log.logStartOffset).toBe(12n);
    await expect(log.read(11n)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
    const tight = await openLog(tempLogDir(), { config: { segmentBytes: 200, retentionBytes: 0, retentionMs: -1 } });
    await appendBatches(tight, 3);
    expect(await tight.deleteOldSegments()).toBe(1);
    expect(tight.segmentBaseOffsets()).toEqual([6n]);
    await log.close();
    await tight.close();
  });

  it('retentionMs: segments whose newest timestamp is older than retention.ms go, in order', async () => {
    const clock = manualClock(1_000_000);
    const log = await openLog(tempLogDir(), { config: { segmentBytes: 200, retentionMs: 10_000 }, clock: clock.now });
    const times = [990_000n, 995_000n, 1_000_000n, 985_000n, 999_000n];
    for (const t of times) await log.appendAsLeader(makeBatch({ records: 3, bodyBytes: 35, maxTimestamp: t }), 0);
    expect(log.segmentBaseOffsets()).toEqual([0n, 6n, 12n]);
    expect(await log.deleteOldSegments()).toBe(0);
    clock.advance(5_001);
    expect(await log.deleteOldSegments()).toBe(1);
    clock.advance(100_000);
    expect(await log.deleteOldSegments()).toBe(1);
    expect(log.segmentBaseOffsets()).toEqual([12n]);
    await log.close();
  });

  it('retentionOnlyUnderDeletePolicy: a compact-only log keeps its segments for the cleaner; compact,delete runs retention too', async () => {
    const compacted = await openLog(tempLogDir(), { config: { segmentBytes: 200, retentionBytes: 0, retentionMs: 0, cleanupPolicy: ['compact'] } });
    await appendBatches(compacted, 5);
    expect(await compacted.deleteOldSegments()).toBe(0);
    expect(compacted.segmentBaseOffsets()).toEqual([0n, 6n, 12n]);
    const both = await openLog(tempLogDir(), { config: { segmentBytes: 200, retentionBytes: 0, retentionMs: -1, cleanupPolicy: ['compact', 'delete'] } });
    await appendBatches(both, 5);
    expect(await both.deleteOldSegments()).toBe(2);
    await compacted.close();
    await both.close();
  });

  it('retentionStopsAtHighWatermark: a segment reaching the high watermark is kept', async () => {
    const log = await openLog(tempLogDir(), { config: { segmentBytes: 200, retentionBytes: 0, retentionMs: -1 } });
    await appendBatches(log, 5);
    expect(await log.deleteOldSegments(5n)).toBe(0);
    expect(await log.deleteOldSegments(6n)).toBe(1);
    await log.close();
  });
});
