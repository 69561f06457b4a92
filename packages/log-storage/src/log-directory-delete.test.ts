import { describe, expect, it, vi } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { LogDirectory } from './log-directory.js';
import { recordingLogger } from './partition-log.test-support.js';
import { batchesIn, makeBatch } from './record-batch.test-support.js';
import { LogClosedError } from './storage-errors.js';
import { tempLogDir } from './log-test-dir.test-support.js';
import { withTmpfs } from './tmpfs.test-support.js';

const DELETE_DIR = /^orders-0\.[0-9a-f]{32}-delete$/;

describe('LogDirectory deleteLog', () => {
  it('deleteLog: the directory is renamed -delete, dropped from the checkpoints, then removed', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const logs = await LogDirectory.open(dir, { fileSystem: fs });
    const doomed = await logs.openLog('orders', 0);
    const kept = await logs.openLog('orders', 1);
    for (let i = 0; i < 3; i++) await doomed.appendAsLeader(makeBatch(), 0);
    await doomed.maybeIncrementLogStartOffset(2n);
    await kept.appendAsLeader(makeBatch(), 0);
    await logs.checkpoint();
    expect(readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8')).toBe('0\n2\norders 0 2\norders 1 0\n');

    await logs.deleteLog('orders', 0);
    const renamed = fs.renames.filter(([from]) => from === join(dir, 'orders-0'));
    expect(renamed).toHaveLength(1);
    expect(renamed[0]![1].slice(dir.length + 1)).toMatch(DELETE_DIR);
    expect(existsSync(join(dir, 'orders-0'))).toBe(false);
    expect(logs.log('orders', 0)).toBeUndefined();
    expect(readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8')).toBe('0\n1\norders 1 0\n');
    expect(readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8')).toBe('0\n1\norders 1 0\n');

    await logs.close();
    expect(readdirSync(dir).sort()).toEqual(['log-start-offset-checkpoint', 'orders-1', 'recovery-point-offset-checkpoint']);
  });

  it('readDeletedLog: a deleted log refuses reads, lookups and appends with LogClosedError', async () => {
    const logs = await LogDirectory.open(tempLogDir());
    const log = await logs.openLog('orders', 0);
    await log.appendAsLeader(makeBatch(), 0);
    await logs.deleteLog('orders', 0);
    const read = await log.read(0n).catch((e: unknown) => e);
    expect(read).toBeInstanceOf(LogClosedError);
    expect(read).toMatchObject({ reason: 'deleted', topicPartition: { topic: 'orders', partition: 0 } });
    expect((read as Error).message).toBe('The log of orders-0 was deleted');
    await expect(log.fetchOffsetByTimestamp(0n)).rejects.toBeInstanceOf(LogClosedError);
    await expect(log.appendAsLeader(makeBatch(), 0)).rejects.toMatchObject({ name: 'LogClosedError', reason: 'deleted' });
    await logs.close();
  });

  it('readInFlightDuringDelete: a read that began before the deletion still returns its batches', async () => {
    const fs = new FaultyFileSystem();
    const logs = await LogDirectory.open(tempLogDir(), { fileSystem: fs });
    const log = await logs.openLog('orders', 0);
    await log.appendAsLeader(makeBatch({ fill: 9 }), 0);
    const release = fs.holdReads();
    const reading = log.read(0n);
    await logs.deleteLog('orders', 0);
    release();
    expect(batchesIn((await reading).records).map((b) => b.fill)).toEqual([9]);
    await logs.close();
  });

  it('reopenAfterDelete: the partition opened again is a new, empty log at offset 0', async () => {
    const dir = tempLogDir();
    const first = await LogDirectory.open(dir);
    const log = await first.openLog('orders', 0);
    for (let i = 0; i < 4; i++) await log.appendAsLeader(makeBatch(), 0);
    await log.maybeIncrementLogStartOffset(3n);
    await first.deleteLog('orders', 0);
    const again = await first.openLog('orders', 0);
    expect([again.logStartOffset, again.logEndOffset]).toEqual([0n, 0n]);
    await first.close();

    const second = await LogDirectory.open(dir);
    const reopened = await second.openLog('orders', 0);
    expect([reopened.logStartOffset, reopened.logEndOffset]).toEqual([0n, 0n]);
    await second.close();
  });

  it('deleteUnopenedLog: a partition directory that was never opened this run is deleted too', async () => {
    const dir = tempLogDir();
    const first = await LogDirectory.open(dir);
    await (await first.openLog('orders', 0)).appendAsLeader(makeBatch(), 0);
    await first.close();
    const second = await LogDirectory.open(dir);
    await second.deleteLog('orders', 0);
    await second.close();
    expect(readdirSync(dir).sort()).toEqual(['log-start-offset-checkpoint', 'recovery-point-offset-checkpoint']);
    expect(readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8')).toBe('0\n0\n');
  });

  it('leftoverDeleteDir: open removes a -delete directory a crash left, and the offsets of partitions without a directory', async () => {
    const dir = tempLogDir();
    const leftover = join(dir, 'orders-0.0123456789abcdef0123456789abcdef-delete');
    mkdirSync(leftover);
    writeFileSync(join(leftover, '00000000000000000000.log'), makeBatch());
    // orders-2 was deleted, then created again before the crash: its new directory and offsets stay.
    mkdirSync(join(dir, 'orders-2.fedcba9876543210fedcba9876543210-delete'));
    mkdirSync(join(dir, 'orders-2'));
    writeFileSync(join(dir, 'recovery-point-offset-checkpoint'), '0\n3\norders 0 7\norders 1 5\norders 2 0\n');
    writeFileSync(join(dir, 'log-start-offset-checkpoint'), '0\n3\norders 0 7\norders 1 0\norders 2 0\n');

    const logger = recordingLogger();
    const logs = await LogDirectory.open(dir, { logger });
    expect(readdirSync(dir).filter((n) => n.endsWith('-delete'))).toEqual([]);
    expect(logger.entries.map((e) => e.msg)).toEqual(['Removing the directory of a log deleted before a crash', 'Removing the directory of a log deleted before a crash']);
    const log = await logs.openLog('orders', 0);
    expect([log.logStartOffset, log.logEndOffset]).toEqual([0n, 0n]);
    await logs.checkpoint();
    expect(readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8')).toBe('0\n2\norders 0 0\norders 2 0\n');
    await logs.close();
  });

  it('deleteOnFullDisk: deleting writes nothing before the removal, and the checkpoint it could not write is written before the name is used again', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const logger = recordingLogger();
    const logs = await LogDirectory.open(dir, { fileSystem: fs, logger });
    const log = await logs.openLog('orders', 0);
    // Batches past index.interval.bytes: index entries wait in memory for the next flush.
    for (let i = 0; i < 3; i++) await log.appendAsLeader(makeBatch({ bodyBytes: 5000 }), 0);
    await log.maybeIncrementLogStartOffset(1n);
    await logs.checkpoint();
    const writesBefore = fs.writeCalls.length;

    fs.failWritesAfter(0);
    await logs.deleteLog('orders', 0);
    expect(fs.writeCalls.slice(writesBefore).filter((file) => file.includes('orders-0'))).toEqual([]);
    await vi.waitFor(() => expect(readdirSync(dir).filter((name) => name.startsWith('orders-0'))).toEqual([]));
    expect(readdirSync(dir).sort()).toEqual(['log-start-offset-checkpoint', 'recovery-point-offset-checkpoint']);
    expect(readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8')).toBe('0\n1\norders 0 1\n');
    expect(logger.entries.map((e) => [e.level, e.msg])).toContainEqual([
      'warn',
      'Deleted a log but could not rewrite the checkpoint files: trying again once its directory is removed',
    ]);

    await expect(logs.openLog('orders', 0)).rejects.toMatchObject({ code: 'ENOSPC' });
    fs.heal();
    const again = await logs.openLog('orders', 0);
    expect([again.logStartOffset, again.logEndOffset]).toEqual([0n, 0n]);
    await logs.close();
    expect(readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8')).toBe('0\n1\norders 0 0\n');
  });

  it('staleCheckpointAfterCrash: offsets a full disk kept in the checkpoints of a deleted log never reach a new log of its name', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const logs = await LogDirectory.open(dir, { fileSystem: fs });
    const log = await logs.openLog('orders', 0);
    for (let i = 0; i < 3; i++) await log.appendAsLeader(makeBatch(), 0);
    await log.maybeIncrementLogStartOffset(2n);
    await logs.checkpoint();
    fs.failWritesAfter(0);
    await logs.deleteLog('orders', 0);
    await vi.waitFor(() => expect(existsSync(join(dir, 'orders-0'))).toBe(false));
    await fs.crash();
    expect(readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8')).toBe('0\n1\norders 0 2\n');

    const restarted = await LogDirectory.open(dir);
    const recreated = await restarted.openLog('orders', 0);
    expect([recreated.logStartOffset, recreated.logEndOffset, recreated.recoveryPoint]).toEqual([0n, 0n, 0n]);
    await recreated.appendAsLeader(makeBatch(), 0);
    await restarted.close();
    expect(readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8')).toBe('0\n1\norders 0 0\n');
  });

  it('deleteOnFullTmpfs: deleting a log on a real full tmpfs gives its space back; the other log keeps its records', (ctx) =>
    withTmpfs(ctx, '256k', async (tmpfs) => {
      const logs = await LogDirectory.open(tmpfs.path);
      const doomed = await logs.openLog('orders', 0);
      const kept = await logs.openLog('orders', 1);
      await kept.appendAsLeader(makeBatch({ fill: 5 }), 0);
      let full: unknown;
      for (let i = 0; i < 100 && full === undefined; i++) {
        await doomed.appendAsLeader(makeBatch({ bodyBytes: 8000 }), 0).catch((error: unknown) => (full = error));
      }
      expect(full).toMatchObject({ name: 'KafkaStorageError', code: 'ENOSPC' });
      expect(tmpfs.freeBytes()).toBeLessThan(8192);

      await logs.deleteLog('orders', 0);
      // The removal runs in the background: the space comes back as the files go, the directory last.
      await vi.waitFor(() => {
        expect(tmpfs.freeBytes()).toBeGreaterThan(200 * 1024);
        expect(readdirSync(tmpfs.path).filter((name) => name.startsWith('orders-0'))).toEqual([]);
      });
      expect(batchesIn((await kept.read(0n)).records).map((b) => b.fill)).toEqual([5]);
      await logs.close();
      expect(readFileSync(join(tmpfs.path, 'recovery-point-offset-checkpoint'), 'utf8')).toBe('0\n1\norders 1 1\n');
    }));
});
