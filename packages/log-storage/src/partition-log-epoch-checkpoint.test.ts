import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { LEADER_EPOCH_CHECKPOINT_FILE } from './log-file-names.js';
import { partitionDir, tempLogDir } from './log-test-dir.test-support.js';
import type { PartitionLog } from './partition-log.js';
import { openLog, recordingLogger } from './partition-log.test-support.js';
import { makeBatch } from './record-batch.test-support.js';

// When the leader epoch checkpoint is written, and what a reopen makes of
// it: a clean restart writes nothing; a new leader epoch reaches the disk
// with the first batch carrying it (see PartitionLog.assignEpochStartOffset).

/** FaultyFileSystem also counting fsync calls (it counts fdatasync as syncs). */
class SyncCountingFileSystem extends FaultyFileSystem {
  fsyncs = 0;

  override async fsync(fd: number): Promise<void> {
    this.fsyncs++;
    await super.fsync(fd);
  }
}

function epochFile(dir: string): string {
  return readFileSync(join(partitionDir(dir), LEADER_EPOCH_CHECKPOINT_FILE), 'utf8');
}

function epochFileWrites(fs: FaultyFileSystem): number {
  return fs.renames.filter(([, to]) => to.endsWith(LEADER_EPOCH_CHECKPOINT_FILE)).length;
}

/** Three batches of one record each as leader in `epoch` (offsets LEO .. LEO + 2). */
async function lead(log: PartitionLog, epoch: number, batches = 3): Promise<void> {
  await log.assignEpochStartOffset(epoch, log.logEndOffset);
  for (let i = 0; i < batches; i++) await log.appendAsLeader(makeBatch({ records: 1 }), epoch);
}

describe('PartitionLog leader epoch checkpoint', () => {
  it('cleanReopenWritesNothing: after a clean close, opening, leading again in the same epoch (with batches or without) and closing write and sync no file', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    await lead(log, 1);
    await lead(log, 2);
    await log.close();
    const batchless = await openLog(dir, { recoveryPoint: log.recoveryPoint });
    await batchless.assignEpochStartOffset(3, batchless.logEndOffset);
    await batchless.close();
    expect(epochFile(dir)).toBe('0\n2\n1 0\n2 3\n');

    for (const [epoch, startOffset] of [
      [2, 3n],
      [3, 6n],
    ] as const) {
      const fs = new SyncCountingFileSystem();
      const reopened = await openLog(dir, { fileSystem: fs, recoveryPoint: 6n });
      await reopened.assignEpochStartOffset(epoch, reopened.logEndOffset);
      expect(reopened.leaderEpochCache.latestEntry()).toEqual({ epoch, startOffset });
      await reopened.close();
      expect({ writes: fs.writeCalls, renames: fs.renames, fsyncs: fs.fsyncs, fdatasyncs: fs.syncs }).toEqual({ writes: [], renames: [], fsyncs: 0, fdatasyncs: 0 });
    }
  });

  it('batchlessEntryAtLogEndKept: an epoch a leader began without appending, found in the file after a clean close, stays and is not rewritten', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    await lead(log, 1);
    await log.close();
    // As an older version left it: epoch 2 was written when its leader took over, at the log end.
    writeFileSync(join(partitionDir(dir), LEADER_EPOCH_CHECKPOINT_FILE), '0\n2\n1 0\n2 3\n');

    const fs = new SyncCountingFileSystem();
    const reopened = await openLog(dir, { fileSystem: fs, recoveryPoint: 3n });
    expect(reopened.leaderEpochCache.entries()).toEqual([
      { epoch: 1, startOffset: 0n },
      { epoch: 2, startOffset: 3n },
    ]);
    expect(reopened.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 3n });
    expect(fs.renames).toEqual([]);
    await reopened.close();
  });

  it('newEpochWrittenByFirstAppend: a new leader epoch is not written on its own, nor by a flush; its first batch writes it before being acknowledged', async () => {
    const dir = tempLogDir();
    const fs = new SyncCountingFileSystem();
    const log = await openLog(dir, { fileSystem: fs });
    await lead(log, 1);
    expect(epochFile(dir)).toBe('0\n1\n1 0\n');
    const writesBefore = epochFileWrites(fs);

    await log.assignEpochStartOffset(2, log.logEndOffset);
    await log.flush();
    expect(epochFileWrites(fs)).toBe(writesBefore);
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 3n });

    await log.appendAsLeader(makeBatch({ records: 1 }), 2);
    expect(epochFile(dir)).toBe('0\n2\n1 0\n2 3\n');
    await log.close();
  });

  it('followerDropsBatchlessEpochInMemory: truncating at the log end drops a batchless epoch without a write; the file keeps it and a reopen takes it back', async () => {
    const dir = tempLogDir();
    const fs = new SyncCountingFileSystem();
    const log = await openLog(dir, { fileSystem: fs });
    await lead(log, 1);
    // Written along with a real change of the cache, as any write carries the whole cache.
    await log.assignEpochStartOffset(2, log.logEndOffset);
    await log.maybeIncrementLogStartOffset(1n);
    expect(epochFile(dir)).toBe('0\n2\n1 1\n2 3\n');
    const writesBefore = epochFileWrites(fs);

    expect(await log.truncateTo(log.logEndOffset)).toBe(false);
    expect(log.leaderEpochCache.entries()).toEqual([{ epoch: 1, startOffset: 1n }]);
    await log.close();
    expect(epochFileWrites(fs)).toBe(writesBefore);

    const reopened = await openLog(dir, { recoveryPoint: 3n, logStartOffset: 1n });
    expect(reopened.leaderEpochCache.latestEntry()).toEqual({ epoch: 2, startOffset: 3n });
    await reopened.truncateTo(reopened.logEndOffset);
    expect(reopened.leaderEpochCache.entries()).toEqual([{ epoch: 1, startOffset: 1n }]);
    await reopened.close();
  });

  it('crashLosesOnlyBatchlessEpoch: a crash before the new epoch has batches loses its entry; leading again assigns it at the same offset', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { fileSystem: fs });
    await lead(log, 1);
    await log.flush();
    await log.assignEpochStartOffset(2, log.logEndOffset);
    await fs.crash();

    const reopened = await openLog(dir, { recoveryPoint: 3n });
    expect(reopened.leaderEpochCache.entries()).toEqual([{ epoch: 1, startOffset: 0n }]);
    await reopened.assignEpochStartOffset(2, reopened.logEndOffset);
    expect(reopened.leaderEpochCache.entries()).toEqual([
      { epoch: 1, startOffset: 0n },
      { epoch: 2, startOffset: 3n },
    ]);
    await reopened.close();
  });

  it('unwrittenEpochRebuiltByRecovery: a batch whose epoch never reached the checkpoint gives it back to the cache when recovery reads it after a crash', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const logger = recordingLogger();
    const log = await openLog(dir, { fileSystem: fs, logger });
    await lead(log, 1);
    await log.flush();
    fs.failSyncs('EIO');
    await lead(log, 2, 1);
    expect(logger.entries.map((e) => e.msg)).toContain('Failed to write the leader epoch checkpoint');
    expect(epochFile(dir)).toBe('0\n1\n1 0\n');
    await fs.crash();

    const reopened = await openLog(dir, { recoveryPoint: 3n });
    expect(reopened.logEndOffset).toBe(4n);
    expect(reopened.leaderEpochCache.entries()).toEqual([
      { epoch: 1, startOffset: 0n },
      { epoch: 2, startOffset: 3n },
    ]);
    expect(epochFile(dir)).toBe('0\n2\n1 0\n2 3\n');
    await reopened.close();
  });

  it('failedEpochWriteRetriedByFlush: after a failed write of an epoch with batches, the flush writes the checkpoint before moving the recovery point', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { fileSystem: fs, logger: recordingLogger() });
    await lead(log, 1);
    await log.flush();
    fs.failSyncs('EIO');
    await lead(log, 2, 1);
    fs.heal();
    await log.flush();
    expect(log.recoveryPoint).toBe(4n);
    expect(epochFile(dir)).toBe('0\n2\n1 0\n2 3\n');
    await log.close();
  });
});
