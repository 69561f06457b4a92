import { describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { openLog, WRITE_PATHS } from './partition-log.test-support.js';
import { batchesIn, makeBatch } from './record-batch.test-support.js';
import { KafkaStorageError, LogClosedError } from './storage-errors.js';
import { LogDirectory } from './log-directory.js';
import { partitionDir, tempLogDir } from './log-test-dir.test-support.js';
import type { PartitionLog } from './partition-log.js';
import { withTmpfs } from './tmpfs.test-support.js';

const SEGMENT_LOG = '00000000000000000000.log';

async function offsetsIn(log: PartitionLog): Promise<bigint[]> {
  const read = await log.read(log.logStartOffset, { maxBytes: 1 << 24 });
  return batchesIn(read.records).map((b) => b.baseOffset);
}

describe.each(WRITE_PATHS)('Disk faults, writes $path', ({ inlineWriteMaxBytes }) => {
  it('diskFull: a write that runs out of space fails as a storage error and leaves file and log end offset consistent', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { fileSystem: fs, inlineWriteMaxBytes });
    await log.appendAsLeader(makeBatch({ bodyBytes: 100 }), 0);
    fs.failWritesAfter(50);
    const error = await log.appendAsLeader(makeBatch({ bodyBytes: 100 }), 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaStorageError);
    expect(error).toMatchObject({ code: 'ENOSPC', logDir: dir });
    expect((error as Error).message).toMatch(new RegExp(`write .*${SEGMENT_LOG} failed in log dir ${dir}`));
    expect(log.logEndOffset).toBe(1n);
    expect(statSync(join(partitionDir(dir), SEGMENT_LOG)).size).toBe(161);
    await expect(log.appendAsLeader(makeBatch(), 0)).rejects.toMatchObject({ code: 'ENOSPC' });

    fs.heal();
    expect((await log.appendAsLeader(makeBatch({ fill: 7 }), 0)).firstOffset).toBe(1n);
    expect(await offsetsIn(log)).toEqual([0n, 1n]);
    await log.close();
    const reopened = await openLog(dir);
    expect(await offsetsIn(reopened)).toEqual([0n, 1n]);
    await reopened.close();
  });

  it('diskFullCutBackFails: a short write that cannot be cut back is never served, and is cut before the next write', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { fileSystem: fs, inlineWriteMaxBytes });
    await log.appendAsLeader(makeBatch({ bodyBytes: 100 }), 0);
    fs.failWritesAfter(50);
    fs.failTruncates();
    await expect(log.appendAsLeader(makeBatch({ bodyBytes: 100 }), 0)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(statSync(join(partitionDir(dir), SEGMENT_LOG)).size).toBe(161 + 50);
    expect(log.logEndOffset).toBe(1n);
    expect((await log.read(1n)).records.length).toBe(0);

    fs.heal();
    expect((await log.appendAsLeader(makeBatch({ fill: 7 }), 0)).firstOffset).toBe(1n);
    expect(statSync(join(partitionDir(dir), SEGMENT_LOG)).size).toBe(161 + 93);
    await log.close();
    const reopened = await openLog(dir);
    expect(await offsetsIn(reopened)).toEqual([0n, 1n]);
    await reopened.close();
  });

  it('diskFullMidGroup: every append of the failed write is rejected; queued ones after it still go in', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { fileSystem: fs, inlineWriteMaxBytes });
    await log.appendAsLeader(makeBatch(), 0);
    fs.failWritesAfter(150);
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => log.appendAsLeader(makeBatch(), 0)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(log.logEndOffset).toBe(1n);
    fs.heal();
    const after = await Promise.all([log.appendAsLeader(makeBatch(), 0), log.appendAsLeader(makeBatch(), 0)]);
    expect(after.map((a) => a.firstOffset)).toEqual([1n, 2n]);
    await fs.crash();
    const reopened = await openLog(dir);
    expect(await offsetsIn(reopened)).toEqual([0n, 1n, 2n]);
    await reopened.close();
  });

  it('failedSync: under the durable policy an fdatasync error fails the appends waiting on it; the log recovers', async () => {
    const fs = new FaultyFileSystem();
    const log = await openLog(tempLogDir(), { fileSystem: fs, inlineWriteMaxBytes, config: { flushPolicy: 'durable' } });
    await log.appendAsLeader(makeBatch(), 0);
    fs.failSyncs('EIO');
    await expect(log.appendAsLeader(makeBatch(), 0)).rejects.toMatchObject({ code: 'EIO', name: 'KafkaStorageError' });
    fs.heal();
    expect((await log.appendAsLeader(makeBatch(), 0)).firstOffset).toBe(2n);
    await log.close();
  });

  it('diskFullOnTmpfs: a real full tmpfs rejects appends, and they succeed again once space returns', (ctx) =>
    withTmpfs(ctx, '256k', async (tmpfs) => {
      const log = await openLog(tmpfs.path, { inlineWriteMaxBytes });
      let acknowledged = 0n;
      let failure: unknown;
      for (let i = 0; i < 100 && failure === undefined; i++) {
        try {
          acknowledged = (await log.appendAsLeader(makeBatch({ bodyBytes: 8000, fill: i }), 0)).lastOffset + 1n;
        } catch (error) {
          failure = error;
        }
      }
      expect(failure).toBeInstanceOf(KafkaStorageError);
      expect(failure).toMatchObject({ code: 'ENOSPC' });
      expect(log.logEndOffset).toBe(acknowledged);
      expect(statSync(join(partitionDir(tmpfs.path), SEGMENT_LOG)).size).toBe(log.size);
      tmpfs.resize('1m');
      expect((await log.appendAsLeader(makeBatch({ bodyBytes: 8000 }), 0)).firstOffset).toBe(acknowledged);
      await log.close();
      const reopened = await openLog(tmpfs.path);
      expect(reopened.logEndOffset).toBe(acknowledged + 1n);
      await reopened.close();
    }));
});

describe('LogDirectory on a full disk', () => {
  it('closeOnFullDisk: a close that cannot flush still closes every log and file, fails with the storage error, and the next open finds every acknowledged batch', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const logs = await LogDirectory.open(dir, { fileSystem: fs });
    const first = await logs.openLog('orders', 0);
    const second = await logs.openLog('orders', 1);
    for (let i = 0; i < 3; i++) {
      await first.appendAsLeader(makeBatch({ bodyBytes: 5000, fill: i }), 0);
      await second.appendAsLeader(makeBatch({ bodyBytes: 5000, fill: 10 + i }), 0);
    }
    fs.failWritesAfter(0);
    await expect(logs.close()).rejects.toMatchObject({ name: 'KafkaStorageError', code: 'ENOSPC', logDir: dir });
    await expect(first.read(0n)).rejects.toBeInstanceOf(LogClosedError);
    await expect(second.read(0n)).rejects.toBeInstanceOf(LogClosedError);
    // No file is left open: one would hold its space even once deleted.
    expect(fs.openFiles).toEqual([]);
    await fs.crash();

    const reopened = await LogDirectory.open(dir);
    for (const [partition, fills] of [
      [0, [0, 1, 2]],
      [1, [10, 11, 12]],
    ] as const) {
      const log = await reopened.openLog('orders', partition);
      expect(batchesIn((await log.read(0n, { maxBytes: 1 << 20 })).records).map((b) => b.fill)).toEqual(fills);
    }
    await reopened.close();
  });
});
