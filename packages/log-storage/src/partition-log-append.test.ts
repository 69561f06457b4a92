import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateBatch } from '@kstream/protocol';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { openLog, manualClock } from './partition-log.test-support.js';
import { batchesIn, makeBatch } from './record-batch.test-support.js';
import { CorruptRecordError, LogClosedError, UnexpectedAppendOffsetError } from './storage-errors.js';
import { partitionDir, tempLogDir } from './log-test-dir.test-support.js';

describe('PartitionLog append', () => {
  it('assignOffsets: base offsets are written into the caller buffer in place and the log end offset advances', async () => {
    const log = await openLog(tempLogDir());
    const first = makeBatch({ baseOffset: 999n, records: 3 });
    const info = await log.appendAsLeader(first, 4);
    expect(info).toMatchObject({ firstOffset: 0n, lastOffset: 2n, logAppendTime: -1n, logStartOffset: 0n, validBytes: first.length });
    expect(first.readBigInt64BE(0)).toBe(0n);
    expect(first.readInt32BE(12)).toBe(4);
    const second = makeBatch({ records: 2 });
    expect((await log.appendAsLeader(second, 4)).firstOffset).toBe(3n);
    expect(log.logEndOffset).toBe(5n);
    await log.close();
  });

  it('severalBatchesOneWrite: a buffer of many batches is one pwritev and keeps the batches as sent', async () => {
    const fs = new FaultyFileSystem();
    const log = await openLog(tempLogDir(), { fileSystem: fs });
    const records = Buffer.concat([makeBatch({ records: 2, fill: 1 }), makeBatch({ records: 5, fill: 2 }), makeBatch({ records: 1, fill: 3 })]);
    const before = fs.bytesWritten;
    const calls = fs.writeCalls.length;
    const info = await log.appendAsLeader(records, 0);
    const logWrites = fs.writeCalls.slice(calls).filter((p) => p.endsWith('.log'));
    expect(logWrites).toEqual([join(log.dir, '00000000000000000000.log')]);
    expect(fs.bytesWritten - before).toBe(records.length + '0\n1\n0 0\n'.length);
    expect(info).toMatchObject({ firstOffset: 0n, lastOffset: 7n });
    const read = await log.read(0n, { maxBytes: 1 << 20 });
    expect(read.records).toEqual(records);
    expect(batchesIn(read.records).map((b) => [b.baseOffset, b.lastOffset])).toEqual([
      [0n, 1n],
      [2n, 6n],
      [7n, 7n],
    ]);
    await log.close();
  });

  it('writePathBySize: a write of up to inlineWriteMaxBytes is made inline, a larger one on the thread pool, and both read back', async () => {
    const fs = new FaultyFileSystem();
    const log = await openLog(tempLogDir(), { fileSystem: fs, inlineWriteMaxBytes: 1000 });
    const small = makeBatch({ bodyBytes: 1000 - 61, fill: 1 });
    const large = makeBatch({ bodyBytes: 1000 - 60, fill: 2 });
    expect([small.length, large.length]).toEqual([1000, 1001]);
    const writes = (): [number, number] => {
      const logWrites = fs.writeCalls.filter((p) => p.endsWith('.log')).length;
      return [fs.inlineWrites, logWrites - fs.inlineWrites];
    };
    // A new log's .log is made by its first write, which goes to the pool with the open.
    await log.appendAsLeader(makeBatch({ bodyBytes: 10, fill: 9 }), 0);
    expect(writes()).toEqual([0, 1]);
    await log.appendAsLeader(small, 0);
    expect(writes()).toEqual([1, 1]);
    await log.appendAsLeader(large, 0);
    expect(writes()).toEqual([1, 2]);
    // Two small appends of one tick are one group, over the limit together: one write on the pool.
    await Promise.all([log.appendAsLeader(makeBatch({ bodyBytes: 500, fill: 3 }), 0), log.appendAsLeader(makeBatch({ bodyBytes: 500, fill: 4 }), 0)]);
    expect(writes()).toEqual([1, 3]);
    const read = await log.read(0n, { maxBytes: 1 << 20 });
    expect(batchesIn(read.records).map((b) => [b.baseOffset, b.fill])).toEqual([
      [0n, 9],
      [1n, 1],
      [2n, 2],
      [3n, 3],
      [4n, 4],
    ]);
    await log.close();
  });

  it('concurrentAppendsKeepOrder: appends called together get offsets in call order', async () => {
    const log = await openLog(tempLogDir());
    const infos = await Promise.all(Array.from({ length: 50 }, (_, i) => log.appendAsLeader(makeBatch({ records: 2, fill: i }), 0)));
    expect(infos.map((i) => i.firstOffset)).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i * 2)));
    const read = await log.read(0n, { maxBytes: 1 << 20 });
    expect(batchesIn(read.records).map((b) => b.fill)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    await log.close();
  });

  it('appendAfterTruncationCall: an append called after truncateTo lands after the truncation, even while a write is in flight', async () => {
    const log = await openLog(tempLogDir());
    await log.appendAsLeader(makeBatch({ records: 4, fill: 1 }), 0);
    const inFlight = log.appendAsLeader(makeBatch({ records: 2, fill: 2 }), 0);
    const truncated = log.truncateTo(4n);
    const after = log.appendAsLeader(makeBatch({ fill: 3 }), 0);
    expect((await inFlight).firstOffset).toBe(4n);
    expect(await truncated).toBe(true);
    expect((await after).firstOffset).toBe(4n);
    const read = await log.read(0n, { maxBytes: 1 << 20 });
    expect(batchesIn(read.records).map((b) => [b.baseOffset, b.fill])).toEqual([
      [0n, 1],
      [4n, 3],
    ]);
    await log.close();
  });

  it('logAppendTime: the broker time becomes the max timestamp, the timestamp type bit is set and the CRC still checks', async () => {
    const clock = manualClock(1_800_000_000_000);
    const log = await openLog(tempLogDir(), { config: { messageTimestampType: 'LogAppendTime' }, clock: clock.now });
    const batch = makeBatch({ maxTimestamp: 5n });
    const info = await log.appendAsLeader(batch, 0);
    expect(info.logAppendTime).toBe(1_800_000_000_000n);
    const read = await log.read(0n);
    expect(batchesIn(read.records)[0]!.maxTimestamp).toBe(1_800_000_000_000n);
    expect(read.records.readInt16BE(21) & 0x08).toBe(0x08);
    expect(validateBatch(read.records).ok).toBe(true);
    await log.close();
  });

  it('corruptBatchRejectsAll: one bad batch rejects the append, names the partition and problem, and leaves the log as it was', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    await log.appendAsLeader(makeBatch(), 0);
    const bad = makeBatch();
    bad[bad.length - 1] ^= 0xff;
    const records = Buffer.concat([makeBatch(), bad]);
    const error = await log.appendAsLeader(records, 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptRecordError);
    expect((error as CorruptRecordError).message).toMatch(/orders-0.*batch at byte 93.*CRC32C mismatch/);
    expect((error as CorruptRecordError).problem.kind).toBe('bad-crc');
    expect(log.logEndOffset).toBe(1n);
    expect(log.size).toBe(93);

    const cases: [Buffer, string][] = [
      [makeBatch({ magic: 1 }), 'bad-magic'],
      [makeBatch().subarray(0, 80), 'incomplete'],
      [Buffer.concat([makeBatch(), Buffer.alloc(10)]), 'incomplete'],
      [makeBatch({ records: 3, lastOffsetDelta: 1 }), 'bad-offset-range'],
      [makeBatch({ records: 0, lastOffsetDelta: -1 }), 'bad-offset-range'],
    ];
    for (const [buffer, kind] of cases) {
      const e = await log.appendAsLeader(buffer, 0).catch((x: unknown) => x);
      expect((e as CorruptRecordError).problem.kind, kind).toBe(kind);
    }
    await log.close();
    expect(readFileSync(join(partitionDir(dir), '00000000000000000000.log')).length).toBe(93);
  });

  it('emptyAppend: no batches, nothing written', async () => {
    const log = await openLog(tempLogDir());
    expect(await log.appendAsLeader(Buffer.alloc(0), 0)).toMatchObject({ firstOffset: 0n, lastOffset: -1n, validBytes: 0 });
    expect(log.size).toBe(0);
    await log.close();
  });

  it("followerAppend: offsets are kept, never go back, and gaps (a compacted leader's) are kept", async () => {
    const log = await openLog(tempLogDir());
    const info = await log.appendAsFollower(Buffer.concat([makeBatch({ baseOffset: 0n, records: 3 }), makeBatch({ baseOffset: 3n, records: 2 })]));
    expect(info).toMatchObject({ firstOffset: 0n, lastOffset: 4n });
    const overlap = await log.appendAsFollower(makeBatch({ baseOffset: 4n })).catch((e: unknown) => e);
    expect(overlap).toBeInstanceOf(UnexpectedAppendOffsetError);
    expect((overlap as UnexpectedAppendOffsetError).message).toMatch(/orders-0.*expected a batch at offset 5 or above, got one at 4/);
    const inner = await log.appendAsFollower(Buffer.concat([makeBatch({ baseOffset: 5n }), makeBatch({ baseOffset: 5n })])).catch((e: unknown) => e);
    expect((inner as UnexpectedAppendOffsetError).expectedOffset).toBe(6n);
    expect(log.logEndOffset).toBe(5n);
    expect(await log.appendAsFollower(Buffer.concat([makeBatch({ baseOffset: 7n }), makeBatch({ baseOffset: 10n, records: 2 })]))).toMatchObject({
      firstOffset: 7n,
      lastOffset: 11n,
    });
    expect(log.logEndOffset).toBe(12n);
    expect(batchesIn((await log.read(5n)).records).map((b) => b.baseOffset)).toEqual([7n, 10n]);
    await log.close();
  });

  it('rollBySize: a segment never grows past segment.bytes, names are 20-digit base offsets', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir, { config: { segmentBytes: 300 } });
    for (let i = 0; i < 7; i++) await log.appendAsLeader(makeBatch({ records: 10, bodyBytes: 39 }), 0);
    expect(log.segmentBaseOffsets()).toEqual([0n, 30n, 60n]);
    await log.close();
    expect(readdirSync(partitionDir(dir)).filter((n) => n.endsWith('.log'))).toEqual(['00000000000000000000.log', '00000000000000000030.log', '00000000000000000060.log']);
  });

  it('oversizedBatch: a batch bigger than segment.bytes gets a segment of its own', async () => {
    const log = await openLog(tempLogDir(), { config: { segmentBytes: 100 } });
    await log.appendAsLeader(makeBatch(), 0);
    await log.appendAsLeader(makeBatch({ bodyBytes: 500 }), 0);
    await log.appendAsLeader(makeBatch(), 0);
    expect(log.segmentBaseOffsets()).toEqual([0n, 1n, 2n]);
    await log.close();
  });

  it('groupSplitsAtRoll: concurrent appends that do not fit the segment go to the next one', async () => {
    const log = await openLog(tempLogDir(), { config: { segmentBytes: 250 } });
    await Promise.all(Array.from({ length: 6 }, () => log.appendAsLeader(makeBatch({ bodyBytes: 39 }), 0)));
    expect(log.segmentBaseOffsets()).toEqual([0n, 2n, 4n]);
    expect((await log.read(0n, { maxBytes: 10_000 })).nextOffset).toBe(2n);
    await log.close();
  });

  it('rollByTime: segment.ms counts from the first batch timestamp', async () => {
    const clock = manualClock();
    const log = await openLog(tempLogDir(), { config: { segmentMs: 1000 }, clock: clock.now });
    await log.appendAsLeader(makeBatch({ maxTimestamp: 10_000n }), 0);
    await log.appendAsLeader(makeBatch({ maxTimestamp: 11_000n }), 0);
    expect(log.numberOfSegments).toBe(1);
    await log.appendAsLeader(makeBatch({ maxTimestamp: 11_001n }), 0);
    expect(log.segmentBaseOffsets()).toEqual([0n, 2n]);
    await log.close();
  });

  it('rollWhenIndexFull: segment.index.bytes bounds the entries; a full index rolls', async () => {
    const log = await openLog(tempLogDir(), { config: { segmentIndexBytes: 24, indexIntervalBytes: 0 } });
    // Three 8-byte offset entries fit: batches 2, 3 and 4 get one, the fifth rolls.
    for (let i = 0; i < 6; i++) await log.appendAsLeader(makeBatch(), 0);
    expect(log.segmentBaseOffsets()).toEqual([0n, 4n]);
    await log.close();
  });

  it('appendAfterClose: a closed log refuses appends and reads', async () => {
    const log = await openLog(tempLogDir());
    await log.appendAsLeader(makeBatch(), 0);
    await log.close();
    await expect(log.appendAsLeader(makeBatch(), 0)).rejects.toBeInstanceOf(LogClosedError);
    await expect(log.read(0n)).rejects.toMatchObject({ name: 'LogClosedError', reason: 'closed', message: 'The log of orders-0 is closed' });
  });

  it('leaderEpochs: each new epoch is recorded with its first offset and persisted', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    await log.appendAsLeader(makeBatch({ records: 2 }), 0);
    await log.appendAsLeader(makeBatch(), 0);
    await log.appendAsLeader(makeBatch(), 3);
    expect(log.leaderEpochCache.entries()).toEqual([
      { epoch: 0, startOffset: 0n },
      { epoch: 3, startOffset: 3n },
    ]);
    expect(readFileSync(join(partitionDir(dir), 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n2\n0 0\n3 3\n');
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 3n });
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 4n });
    await log.close();
  });
});
