import { describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { validateBatch } from '@kstream/protocol';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { openLog, manualClock, recordingLogger, WRITE_PATHS } from './partition-log.test-support.js';
import type { PartitionLog } from './partition-log.js';
import { batchesIn, makeBatch } from './record-batch.test-support.js';
import { CorruptRecordError } from './storage-errors.js';
import { partitionDir, tempLogDir } from './log-test-dir.test-support.js';

const SEGMENT_LOG = '00000000000000000000.log';

/** A batch whose CRC no longer matches its last byte. */
function corruptBatch(bodyBytes = 32): Buffer {
  const batch = makeBatch({ bodyBytes, fill: 0xee });
  batch[batch.length - 1] ^= 0xff;
  return batch;
}

function fileSize(logDir: string): number {
  return statSync(join(partitionDir(logDir), SEGMENT_LOG)).size;
}

async function stored(log: PartitionLog): Promise<[bigint, number][]> {
  const read = await log.read(log.logStartOffset, { maxBytes: 1 << 20 });
  return batchesIn(read.records).map((b) => [b.baseOffset, b.fill]);
}

describe.each(WRITE_PATHS)('PartitionLog append validation, writes $path', ({ inlineWriteMaxBytes }) => {
  it('corruptBatchCutBack: the rejected write leaves the file as it was, the next append lands right after the last good batch', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir, { inlineWriteMaxBytes });
    await log.appendAsLeader(makeBatch({ fill: 1 }), 0);
    const error = await log.appendAsLeader(corruptBatch(), 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptRecordError);
    expect((error as CorruptRecordError).problem.kind).toBe('bad-crc');
    expect(fileSize(dir)).toBe(93);
    expect([log.logEndOffset, log.size]).toEqual([1n, 93]);

    expect((await log.appendAsLeader(makeBatch({ fill: 2 }), 0)).firstOffset).toBe(1n);
    expect(fileSize(dir)).toBe(186);
    await log.close();
    const logger = recordingLogger();
    const reopened = await openLog(dir, { logger });
    expect(await stored(reopened)).toEqual([
      [0n, 1],
      [1n, 2],
    ]);
    expect(logger.entries).toEqual([]);
    await reopened.close();
  });

  it('corruptAmongConcurrentAppends: appends written together with a bad one still go in, at contiguous offsets', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir, { inlineWriteMaxBytes });
    const results = await Promise.allSettled([
      log.appendAsLeader(makeBatch({ fill: 1 }), 0),
      log.appendAsLeader(corruptBatch(), 0),
      log.appendAsLeader(makeBatch({ records: 2, fill: 3 }), 0),
      log.appendAsLeader(Buffer.concat([makeBatch({ fill: 4 }), corruptBatch()]), 0),
      log.appendAsLeader(makeBatch({ fill: 5 }), 0),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.firstOffset : (r.reason as Error).name))).toEqual([0n, 'CorruptRecordError', 1n, 'CorruptRecordError', 3n]);
    expect((results[3] as PromiseRejectedResult).reason).toMatchObject({ position: 93 });
    expect(await stored(log)).toEqual([
      [0n, 1],
      [1n, 3],
      [3n, 5],
    ]);
    expect(fileSize(dir)).toBe(3 * 93);
    await log.close();
  });

  it('corruptFollowerBatch: the refused batch is not written; one queued after it goes back past the log end and is refused too', async () => {
    const log = await openLog(tempLogDir(), { inlineWriteMaxBytes });
    const bad = makeBatch({ baseOffset: 1n, fill: 0xee });
    bad[bad.length - 1] ^= 0xff;
    const results = await Promise.allSettled([
      log.appendAsFollower(makeBatch({ baseOffset: 0n, fill: 1 })),
      log.appendAsFollower(bad),
      log.appendAsFollower(makeBatch({ baseOffset: 0n, fill: 3 })),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.firstOffset : (r.reason as Error).name))).toEqual([0n, 'CorruptRecordError', 'UnexpectedAppendOffsetError']);
    expect(log.logEndOffset).toBe(1n);
    await log.close();
  });

  it('logAppendTimeCorrupt: the new CRC of a LogAppendTime batch does not hide a bad one', async () => {
    const dir = tempLogDir();
    const clock = manualClock(1_800_000_000_000);
    const log = await openLog(dir, { inlineWriteMaxBytes, config: { messageTimestampType: 'LogAppendTime' }, clock: clock.now });
    const results = await Promise.allSettled([log.appendAsLeader(corruptBatch(), 0), log.appendAsLeader(makeBatch({ fill: 2 }), 0)]);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ name: 'CorruptRecordError', problem: { kind: 'bad-crc' } });
    expect((results[1] as PromiseFulfilledResult<unknown>).value).toMatchObject({ firstOffset: 0n, logAppendTime: 1_800_000_000_000n });
    const read = await log.read(0n);
    expect(batchesIn(read.records).map((b) => [b.baseOffset, b.fill, b.maxTimestamp])).toEqual([[0n, 2, 1_800_000_000_000n]]);
    expect(validateBatch(read.records).ok).toBe(true);
    expect(fileSize(dir)).toBe(93);
    await log.close();
  });
});

// A write on the thread pool is checked while in flight, so a bad batch does reach the file and must be cut back.
describe('PartitionLog append validation, writes on the thread pool', () => {
  it('cutBackFails: the bad bytes are never served, and are cut before the next write', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { fileSystem: fs, inlineWriteMaxBytes: 0 });
    await log.appendAsLeader(makeBatch({ fill: 1 }), 0);
    fs.failTruncates();
    await expect(log.appendAsLeader(corruptBatch(400), 0)).rejects.toBeInstanceOf(CorruptRecordError);
    expect(fileSize(dir)).toBe(93 + 461);
    expect(log.logEndOffset).toBe(1n);
    expect((await log.read(1n)).records.length).toBe(0);
    expect(await stored(log)).toEqual([[0n, 1]]);

    fs.heal();
    expect((await log.appendAsLeader(makeBatch({ fill: 2 }), 0)).firstOffset).toBe(1n);
    expect(fileSize(dir)).toBe(186);
    expect(await stored(log)).toEqual([
      [0n, 1],
      [1n, 2],
    ]);
    await log.close();
  });

  it('crashBeforeCutBack: a bad tail left by a crash is cut by recovery, even below a checkpointed recovery point', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { fileSystem: fs, inlineWriteMaxBytes: 0 });
    await log.appendAsLeader(makeBatch({ fill: 1 }), 0);
    await log.flush();
    fs.failTruncates();
    await expect(log.appendAsLeader(corruptBatch(), 0)).rejects.toBeInstanceOf(CorruptRecordError);
    await fs.crash();
    expect(fileSize(dir)).toBe(186);

    const logger = recordingLogger();
    const reopened = await openLog(dir, { recoveryPoint: 1n, logger });
    expect(reopened.logEndOffset).toBe(1n);
    expect(fileSize(dir)).toBe(93);
    expect(logger.entries).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'Truncated the log at the first bad batch', fields: expect.objectContaining({ offset: 1n, bytesDropped: 93 }) }),
    ]);
    expect((await reopened.appendAsLeader(makeBatch({ fill: 2 }), 0)).firstOffset).toBe(1n);
    expect(await stored(reopened)).toEqual([
      [0n, 1],
      [1n, 2],
    ]);
    await reopened.close();
  });
});

describe('PartitionLog append validation, inline writes', () => {
  it('refusedNeverWritten: a bad batch is checked before an inline write, so nothing needs cutting back', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { fileSystem: fs });
    await log.appendAsLeader(makeBatch({ fill: 1 }), 0);
    fs.failTruncates();
    const writes = fs.writeCalls.length;
    await expect(log.appendAsLeader(corruptBatch(400), 0)).rejects.toBeInstanceOf(CorruptRecordError);
    expect(fs.writeCalls.length).toBe(writes);
    expect(fileSize(dir)).toBe(93);
    expect((await log.appendAsLeader(makeBatch({ fill: 2 }), 0)).firstOffset).toBe(1n);
    expect(await stored(log)).toEqual([
      [0n, 1],
      [1n, 2],
    ]);
    await log.close();
  });
});
