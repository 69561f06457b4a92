import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP } from './log-read.js';
import { openLog } from './partition-log.test-support.js';
import { batchesIn, makeBatch } from './record-batch.test-support.js';
import { OffsetOutOfRangeError } from './storage-errors.js';
import { partitionDir, tempLogDir } from './log-test-dir.test-support.js';

/** Ten batches of 3 records (offsets 0–29), 93 + 3 bytes each with bodyBytes 35. */
async function tenBatchLog(config: Record<string, string | number> = {}) {
  const log = await openLog(tempLogDir(), { config });
  for (let i = 0; i < 10; i++) await log.appendAsLeader(makeBatch({ records: 3, bodyBytes: 35, fill: i, maxTimestamp: BigInt(1000 + i * 10) }), 0);
  return log;
}

describe('PartitionLog read', () => {
  it('readFromMiddleOfBatch: an offset inside a batch returns that whole batch', async () => {
    const log = await tenBatchLog();
    for (const offset of [0n, 1n, 2n, 13n, 29n]) {
      const read = await log.read(offset, { maxBytes: 1 });
      const [batch] = batchesIn(read.records);
      expect(batch!.baseOffset).toBe((offset / 3n) * 3n);
      expect(read.nextOffset).toBe(batch!.lastOffset + 1n);
    }
    await log.close();
  });

  it('maxBytes: whole batches only, the first one even if larger', async () => {
    const log = await tenBatchLog();
    expect(batchesIn((await log.read(0n, { maxBytes: 96 * 3 + 95 })).records)).toHaveLength(3);
    expect(batchesIn((await log.read(0n, { maxBytes: 10 })).records)).toHaveLength(1);
    expect((await log.read(0n, { maxBytes: 10, minOneMessage: false })).records.length).toBe(0);
    expect(batchesIn((await log.read(0n, { maxBytes: 96 * 4 })).records)).toHaveLength(4);
    expect(batchesIn((await log.read(0n, { maxBytes: 96 * 4 - 1 })).records)).toHaveLength(3);
    await log.close();
  });

  it('upperBound: stops before the batch that reaches maxOffset (the high watermark)', async () => {
    const log = await tenBatchLog();
    const read = await log.read(0n, { maxBytes: 1 << 20, maxOffset: 9n });
    expect(batchesIn(read.records).map((b) => b.baseOffset)).toEqual([0n, 3n, 6n]);
    expect(read.nextOffset).toBe(9n);
    expect((await log.read(9n, { maxOffset: 9n })).records.length).toBe(0);
    expect((await log.read(9n, { maxOffset: 10n })).records.length).toBe(0);
    await log.close();
  });

  it('readAtLogEnd: no bytes; past it or below the start: OffsetOutOfRange with the valid range', async () => {
    const log = await tenBatchLog();
    expect(await log.read(30n)).toEqual({ records: Buffer.alloc(0), nextOffset: 30n });
    const past = await log.read(31n).catch((e: unknown) => e);
    expect(past).toBeInstanceOf(OffsetOutOfRangeError);
    expect((past as Error).message).toBe('Offset 31 is out of range for orders-0: valid offsets are 0 to 30');
    await log.maybeIncrementLogStartOffset(4n);
    const below = await log.read(3n).catch((e: unknown) => e);
    expect(below).toMatchObject({ offset: 3n, logStartOffset: 4n, logEndOffset: 30n });
    expect(batchesIn((await log.read(4n)).records)[0]!.baseOffset).toBe(3n);
    await log.close();
  });

  it('lookupEveryOffset: with a sparse index each offset finds its batch, in every segment', async () => {
    const log = await tenBatchLog({ indexIntervalBytes: 200, segmentBytes: 400 });
    expect(log.numberOfSegments).toBeGreaterThan(2);
    for (let offset = 0n; offset < 30n; offset++) {
      const [batch] = batchesIn((await log.read(offset, { maxBytes: 1 })).records);
      expect(batch!.baseOffset <= offset && offset <= batch!.lastOffset).toBe(true);
      expect(batch!.fill).toBe(Number(offset / 3n));
    }
    await log.close();
  });

  it('readStopsAtSegmentEnd: one read serves one segment; the next read continues in the next', async () => {
    const log = await tenBatchLog({ segmentBytes: 400 });
    const first = await log.read(0n, { maxBytes: 1 << 20 });
    expect(batchesIn(first.records)).toHaveLength(4);
    const second = await log.read(first.nextOffset, { maxBytes: 1 << 20 });
    expect(batchesIn(second.records)[0]!.baseOffset).toBe(12n);
    await log.close();
  });

  it('offsetsForTimestamp: earliest, latest, and the first batch at or after a time, across segments', async () => {
    const log = await openLog(tempLogDir(), { config: { segmentBytes: 300, indexIntervalBytes: 50 } });
    const timestamps = [100n, 300n, 200n, 500n, 400n, 800n, 700n];
    for (const t of timestamps) await log.appendAsLeader(makeBatch({ records: 2, maxTimestamp: t }), 2);
    expect(log.numberOfSegments).toBeGreaterThan(1);
    expect(await log.fetchOffsetByTimestamp(EARLIEST_TIMESTAMP)).toEqual({ timestamp: -1n, offset: 0n, leaderEpoch: 2 });
    expect(await log.fetchOffsetByTimestamp(LATEST_TIMESTAMP)).toEqual({ timestamp: -1n, offset: 14n, leaderEpoch: 2 });
    expect(await log.fetchOffsetByTimestamp(0n)).toEqual({ timestamp: 100n, offset: 0n, leaderEpoch: 2 });
    expect(await log.fetchOffsetByTimestamp(250n)).toEqual({ timestamp: 300n, offset: 2n, leaderEpoch: 2 });
    expect(await log.fetchOffsetByTimestamp(450n)).toEqual({ timestamp: 500n, offset: 6n, leaderEpoch: 2 });
    expect(await log.fetchOffsetByTimestamp(600n)).toEqual({ timestamp: 800n, offset: 10n, leaderEpoch: 2 });
    expect(await log.fetchOffsetByTimestamp(801n)).toBeUndefined();
    await log.maybeIncrementLogStartOffset(7n);
    expect(await log.fetchOffsetByTimestamp(0n)).toMatchObject({ offset: 7n, timestamp: 500n });
    await log.close();
  });

  it('readDeletedSegment: a segment deleted during a read stays readable, then its .deleted files go', async () => {
    const fs = new FaultyFileSystem();
    const dir = tempLogDir();
    const log = await openLog(dir, { fileSystem: fs, config: { segmentBytes: 200 } });
    for (let i = 0; i < 4; i++) await log.appendAsLeader(makeBatch({ bodyBytes: 39, fill: i }), 0);
    expect(log.segmentBaseOffsets()).toEqual([0n, 2n]);
    const release = fs.holdReads();
    const reading = log.read(0n, { maxBytes: 1 << 20 });
    expect(await log.maybeIncrementLogStartOffset(2n)).toBe(true);
    const names = readdirSync(partitionDir(dir));
    expect(names).toContain('00000000000000000000.log.deleted');
    expect(names).not.toContain('00000000000000000000.log');
    release();
    expect(batchesIn((await reading).records).map((b) => b.fill)).toEqual([0, 1]);
    // The background flush of the rolled segment may hold it a little longer; close waits for it.
    await log.close();
    expect(readdirSync(partitionDir(dir)).filter((n) => n.startsWith('00000000000000000000'))).toEqual([]);
  });

  it('readDuringTruncation: a read racing a truncation of its bytes gets nothing, not a corruption error', async () => {
    const fs = new FaultyFileSystem();
    const log = await openLog(tempLogDir(), { fileSystem: fs });
    for (let i = 0; i < 6; i++) await log.appendAsLeader(makeBatch({ records: 3, bodyBytes: 35 }), 0);
    const release = fs.holdReads(1);
    const reading = log.read(12n);
    await log.truncateTo(3n);
    release();
    expect(await reading).toEqual({ records: Buffer.alloc(0), nextOffset: 12n });
    await log.close();
  });
});
