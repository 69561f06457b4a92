import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { LogDirIo } from './log-dir-io.js';
import { LogDirectory } from './log-directory.js';
import { OffsetCheckpointFile } from './offset-checkpoint-file.js';
import type { PartitionLog } from './partition-log.js';
import { makeBatch } from './record-batch.test-support.js';
import { tempLogDir } from './log-test-dir.test-support.js';

const RECOVERY_POINTS = 'recovery-point-offset-checkpoint';
const LOG_START_OFFSETS = 'log-start-offset-checkpoint';

/** Both checkpoint files as the logs' offsets are now, in Kafka's format. */
function expectedFiles(logs: readonly PartitionLog[]): Record<string, string> {
  const lines = (offset: (log: PartitionLog) => bigint): string => `0\n${logs.length}\n${logs.map((log) => `orders ${log.topicPartition.partition} ${offset(log)}\n`).join('')}`;
  return { [RECOVERY_POINTS]: lines((log) => log.recoveryPoint), [LOG_START_OFFSETS]: lines((log) => log.logStartOffset) };
}

function filesIn(dir: string): Record<string, string> {
  return { [RECOVERY_POINTS]: readFileSync(join(dir, RECOVERY_POINTS), 'utf8'), [LOG_START_OFFSETS]: readFileSync(join(dir, LOG_START_OFFSETS), 'utf8') };
}

describe('LogDirectory checkpoint', () => {
  it('concurrentCheckpoints: checkpoints overlapping each other and appends never break a file, and the last one wins', async () => {
    const dir = tempLogDir();
    const logs = await LogDirectory.open(dir);
    const partitions = [await logs.openLog('orders', 0), await logs.openLog('orders', 1), await logs.openLog('orders', 2)];
    const io = new LogDirIo(dir);
    const files = [new OffsetCheckpointFile(io, join(dir, RECOVERY_POINTS)), new OffsetCheckpointFile(io, join(dir, LOG_START_OFFSETS))];
    let writing = true;
    let reads = 0;
    // Reads every file between turns of the loop: each must parse whole (read throws on a malformed file).
    const reader = (async () => {
      while (writing) {
        for (const file of files) await file.read();
        reads++;
        await nextTurn();
      }
    })();

    const changes: Promise<unknown>[] = [];
    const checkpoints: Promise<void>[] = [];
    for (let round = 0; round < 60; round++) {
      const log = partitions[round % partitions.length]!;
      changes.push(log.appendAsLeader(makeBatch({ records: 2 }), 0));
      checkpoints.push(logs.checkpoint());
      if (round % 4 === 0) changes.push(log.flush());
      if (round % 9 === 0) changes.push(log.maybeIncrementLogStartOffset(log.logEndOffset));
      checkpoints.push(logs.checkpoint());
      if (round % 3 === 0) await nextTurn();
    }
    await Promise.all(changes);
    for (const log of partitions) await log.flush();
    checkpoints.push(logs.checkpoint());
    await Promise.all(checkpoints);
    writing = false;
    await reader;

    expect(reads).toBeGreaterThan(0);
    expect(filesIn(dir)).toEqual(expectedFiles(partitions));
    expect(partitions.map((log) => log.recoveryPoint)).toEqual([40n, 40n, 40n]);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    await logs.close();
  });

  it('checkpointDuringWrite: calls made while a write runs are written after it, together, with the offsets of the latest call', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const logs = await LogDirectory.open(dir, { fileSystem: fs });
    const log = await logs.openLog('orders', 0);
    await log.appendAsLeader(makeBatch(), 0);
    await log.flush();
    const release = fs.holdRenames((to) => to.endsWith('-checkpoint') && !to.includes('leader-epoch'));
    const first = logs.checkpoint();
    await expect.poll(() => fs.renamesHeld).toBe(2);

    await log.appendAsLeader(makeBatch(), 0);
    await log.flush();
    let secondDone = false;
    const second = logs.checkpoint().then(() => (secondDone = true));
    await log.appendAsLeader(makeBatch(), 0);
    await log.maybeIncrementLogStartOffset(1n);
    await log.flush();
    const third = logs.checkpoint();
    const latest = expectedFiles([log]);
    expect(fs.renamesHeld).toBe(2);
    release();

    await first;
    await second;
    expect(secondDone).toBe(true);
    // The second call resolved with the third's write: the offsets as of its call are on disk, or newer ones.
    expect(filesIn(dir)).toEqual(latest);
    expect(latest[RECOVERY_POINTS]).toBe('0\n1\norders 0 3\n');
    expect(latest[LOG_START_OFFSETS]).toBe('0\n1\norders 0 1\n');
    await third;
    const checkpointRenames = fs.renames.filter(([, to]) => to === join(dir, RECOVERY_POINTS));
    expect(checkpointRenames).toHaveLength(2);
    await logs.close();
  });
});
