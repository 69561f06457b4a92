import { describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, readdirSync, truncateSync, unlinkSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { openLog, recordingLogger } from './partition-log.test-support.js';
import { batchesIn, makeBatch } from './record-batch.test-support.js';
import { CorruptSegmentError } from './storage-errors.js';
import { partitionDir, tempLogDir } from './log-test-dir.test-support.js';
import type { PartitionLog } from './partition-log.js';

const SEGMENT = '00000000000000000000';
const BATCH = 96;

async function fill(log: PartitionLog, count: number, epoch = 0): Promise<void> {
  for (let i = 0; i < count; i++) await log.appendAsLeader(makeBatch({ records: 3, bodyBytes: 35, fill: i, maxTimestamp: BigInt(1000 + i) }), epoch);
}

async function allBatches(log: PartitionLog) {
  const out = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const read = await log.read(offset, { maxBytes: 1 << 20 });
    out.push(...batchesIn(read.records));
    offset = read.nextOffset;
  }
  return out;
}

describe('Log recovery', () => {
  it('reopen: after a clean close nothing is scanned and everything is back', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir, { config: { segmentBytes: 500, indexIntervalBytes: 100 } });
    await fill(log, 12);
    const before = await allBatches(log);
    await log.close();
    expect(log.recoveryPoint).toBe(36n);
    const indexBytes = readFileSync(join(partitionDir(dir), `${SEGMENT}.index`));
    expect(indexBytes.length).toBeGreaterThan(0);

    const fs = new FaultyFileSystem();
    const logger = recordingLogger();
    const reopened = await openLog(dir, { config: { segmentBytes: 500, indexIntervalBytes: 100 }, recoveryPoint: 36n, fileSystem: fs, logger });
    expect(logger.entries).toEqual([]);
    expect(fs.writeCalls).toEqual([]);
    expect(reopened.logEndOffset).toBe(36n);
    expect(reopened.recoveryPoint).toBe(36n);
    expect(await allBatches(reopened)).toEqual(before);
    expect((await reopened.appendAsLeader(makeBatch(), 0)).firstOffset).toBe(36n);
    await reopened.close();
    expect(readFileSync(join(partitionDir(dir), `${SEGMENT}.index`))).toEqual(indexBytes);
  });

  it('reopenAfterCrash: without a checkpoint every segment is scanned, indexes rebuilt, nothing lost', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { config: { segmentBytes: 500, indexIntervalBytes: 100 }, fileSystem: fs });
    await fill(log, 12, 3);
    const before = await allBatches(log);
    await fs.crash();
    unlinkSync(join(partitionDir(dir), 'leader-epoch-checkpoint'));
    const reopened = await openLog(dir, { config: { segmentBytes: 500, indexIntervalBytes: 100 } });
    expect(reopened.logEndOffset).toBe(36n);
    expect(reopened.recoveryPoint).toBe(0n);
    expect(await allBatches(reopened)).toEqual(before);
    expect(reopened.leaderEpochCache.entries()).toEqual([{ epoch: 3, startOffset: 0n }]);
    for (let offset = 0n; offset < 36n; offset += 5n) {
      expect(batchesIn((await reopened.read(offset, { maxBytes: 1 })).records)[0]!.baseOffset).toBe((offset / 3n) * 3n);
    }
    await reopened.close();
  });

  it('tornLastBatch: the incomplete batch ends the log and the truncation is logged', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    await fill(log, 4);
    await log.close();
    const path = join(partitionDir(dir), `${SEGMENT}.log`);
    truncateSync(path, 4 * BATCH - 10);
    const logger = recordingLogger();
    const reopened = await openLog(dir, { recoveryPoint: 6n, logger });
    expect(reopened.logEndOffset).toBe(9n);
    expect(statSync(path).size).toBe(3 * BATCH);
    const warning = logger.entries.find((e) => e.msg.startsWith('Truncated'));
    expect(warning?.fields).toMatchObject({ partition: 'orders-0', offset: 9n, bytesDropped: BATCH - 10, position: 3 * BATCH });
    expect((await reopened.appendAsLeader(makeBatch(), 0)).firstOffset).toBe(9n);
    await reopened.close();
  });

  it('garbageTail: bytes after the last batch that do not form a batch are cut', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    await fill(log, 3);
    await log.close();
    const garbage = Buffer.from('this is not a record batch at all, not even close to one, really');
    appendFileSync(join(partitionDir(dir), `${SEGMENT}.log`), garbage);
    const logger = recordingLogger();
    const reopened = await openLog(dir, { logger });
    expect(reopened.logEndOffset).toBe(9n);
    expect(reopened.size).toBe(3 * BATCH);
    expect(logger.entries.find((e) => e.msg.startsWith('Truncated'))?.fields).toMatchObject({ bytesDropped: garbage.length });
    await reopened.close();
  });

  it('bitFlipMidSegment: past the recovery point, a bad CRC ends the log there and later segments are deleted', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir, { config: { segmentBytes: 400 } });
    await fill(log, 10);
    expect(log.segmentBaseOffsets()).toEqual([0n, 12n, 24n]);
    await log.close();
    const path = join(partitionDir(dir), `${SEGMENT}.log`);
    const bytes = readFileSync(path);
    bytes[2 * BATCH + 70] ^= 0x10;
    writeFileSync(path, bytes);
    const logger = recordingLogger();
    const reopened = await openLog(dir, { config: { segmentBytes: 400 }, logger });
    expect(reopened.logEndOffset).toBe(6n);
    expect(reopened.segmentBaseOffsets()).toEqual([0n]);
    expect(logger.entries.find((e) => e.msg.startsWith('Truncated'))?.fields).toMatchObject({
      offset: 6n,
      bytesDropped: 8 * BATCH,
      segmentsDeleted: 2,
      problem: expect.stringMatching(/CRC32C mismatch/),
    });
    expect(readdirSync(partitionDir(dir)).filter((n) => n.endsWith('.log'))).toEqual([`${SEGMENT}.log`]);
    await reopened.close();
  });

  it('bitFlipInFlushedSegment: below the recovery point corruption is caught on read and never served', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    await fill(log, 5);
    await log.close();
    const path = join(partitionDir(dir), `${SEGMENT}.log`);
    const bytes = readFileSync(path);
    bytes[2 * BATCH + 80] ^= 0x01;
    writeFileSync(path, bytes);
    const reopened = await openLog(dir, { recoveryPoint: 15n });
    expect(reopened.logEndOffset).toBe(15n);
    const prefix = await reopened.read(0n, { maxBytes: 1 << 20 });
    expect(batchesIn(prefix.records).map((b) => b.baseOffset)).toEqual([0n, 3n]);
    const error = await reopened.read(6n).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptSegmentError);
    expect(error).toMatchObject({ offset: 6n, position: 2 * BATCH, topicPartition: { topic: 'orders', partition: 0 } });
    expect((error as Error).message).toMatch(/orders-0 at offset 6.*CRC32C mismatch/);
    expect(batchesIn((await reopened.read(9n)).records)[0]!.baseOffset).toBe(9n);
    await reopened.close();
  });

  it('missingIndex: a flushed segment without its index gets it rebuilt, byte for byte', async () => {
    const dir = tempLogDir();
    const config = { segmentBytes: 500, indexIntervalBytes: 100 };
    const log = await openLog(dir, { config });
    await fill(log, 12);
    await log.close();
    const indexPath = join(partitionDir(dir), `${SEGMENT}.index`);
    const timePath = join(partitionDir(dir), `${SEGMENT}.timeindex`);
    const [index, timeIndex] = [readFileSync(indexPath), readFileSync(timePath)];
    unlinkSync(indexPath);
    const logger = recordingLogger();
    const reopened = await openLog(dir, { config, recoveryPoint: 36n, logger });
    expect(logger.entries.map((e) => e.fields)).toEqual([expect.objectContaining({ problem: 'offset index missing' })]);
    expect(readFileSync(indexPath)).toEqual(index);
    expect(readFileSync(timePath)).toEqual(timeIndex);
    expect(batchesIn((await reopened.read(13n)).records)[0]!.baseOffset).toBe(12n);
    await reopened.close();
  });

  it('indexPastEnd: entries pointing past the end of the .log (data lost, index kept) are rebuilt', async () => {
    const dir = tempLogDir();
    const config = { indexIntervalBytes: 100 };
    const log = await openLog(dir, { config });
    await fill(log, 8);
    await log.close();
    truncateSync(join(partitionDir(dir), `${SEGMENT}.log`), 4 * BATCH);
    const logger = recordingLogger();
    const reopened = await openLog(dir, { config, recoveryPoint: 24n, logger });
    expect(logger.entries[0]?.fields).toMatchObject({ problem: expect.stringMatching(/past the end of the log/) });
    expect(reopened.logEndOffset).toBe(12n);
    expect(batchesIn((await reopened.read(10n)).records)[0]!.baseOffset).toBe(9n);
    await reopened.close();
  });

  it('indexInconsistent: a size not a multiple of 8, or entries out of order, trigger a rebuild', async () => {
    for (const damage of [Buffer.from([1, 2, 3]), Buffer.from([0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 2])]) {
      const dir = tempLogDir();
      const log = await openLog(dir, { config: { indexIntervalBytes: 100 } });
      await fill(log, 8);
      await log.close();
      const indexPath = join(partitionDir(dir), `${SEGMENT}.index`);
      const good = readFileSync(indexPath);
      writeFileSync(indexPath, damage);
      const logger = recordingLogger();
      const reopened = await openLog(dir, { config: { indexIntervalBytes: 100 }, recoveryPoint: 24n, logger });
      expect(logger.entries).toHaveLength(1);
      expect(readFileSync(indexPath)).toEqual(good);
      await reopened.close();
    }
  });

  it('crashBetweenWriteAndIndexUpdate: entries never written to the index file are rebuilt by recovery', async () => {
    const dir = tempLogDir();
    const config = { indexIntervalBytes: 100 };
    const log = await openLog(dir, { config });
    await fill(log, 4);
    await log.close();
    const indexPath = join(partitionDir(dir), `${SEGMENT}.index`);
    const fs = new FaultyFileSystem();
    const live = await openLog(dir, { config, recoveryPoint: 12n, fileSystem: fs });
    for (let i = 0; i < 6; i++) await live.appendAsLeader(makeBatch({ records: 3, bodyBytes: 35, fill: 4 + i, maxTimestamp: 2000n }), 0);
    const indexOnDisk = readFileSync(indexPath).length;
    await fs.crash();
    expect(readFileSync(indexPath).length).toBe(indexOnDisk);
    const reopened = await openLog(dir, { config, recoveryPoint: 12n });
    expect(reopened.logEndOffset).toBe(30n);
    expect(readFileSync(indexPath).length).toBeGreaterThan(indexOnDisk);
    for (let offset = 0n; offset < 30n; offset += 2n) {
      expect(batchesIn((await reopened.read(offset, { maxBytes: 1 })).records)[0]!.fill).toBe(Number(offset / 3n));
    }
    await reopened.close();
  });

  it('leftovers: .deleted files, .tmp checkpoints, orphan indexes and producer snapshots past the log end are removed at open', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    await fill(log, 2);
    await log.close();
    const pdir = partitionDir(dir);
    writeFileSync(join(pdir, '00000000000000000099.log.deleted'), 'x');
    writeFileSync(join(pdir, '00000000000000000099.index.deleted'), 'x');
    writeFileSync(join(pdir, 'leader-epoch-checkpoint.tmp'), 'x');
    writeFileSync(join(pdir, '00000000000000000500.index'), 'x');
    writeFileSync(join(pdir, '00000000000000000500.txnindex'), 'x');
    writeFileSync(join(pdir, '00000000000000000500.snapshot'), 'x');
    const reopened = await openLog(dir, { recoveryPoint: 6n });
    const closeSnapshot = `${String(reopened.logEndOffset).padStart(20, '0')}.snapshot`;
    expect(readdirSync(pdir).sort()).toEqual([`${SEGMENT}.index`, `${SEGMENT}.log`, `${SEGMENT}.timeindex`, closeSnapshot, 'leader-epoch-checkpoint']);
    await reopened.close();
  });

  it('emptyDirectory: a new log starts at the checkpointed log start offset', async () => {
    const log = await openLog(tempLogDir(), { logStartOffset: 42n });
    expect([log.logStartOffset, log.logEndOffset]).toEqual([42n, 42n]);
    expect(log.segmentBaseOffsets()).toEqual([42n]);
    await log.close();
  });
});
