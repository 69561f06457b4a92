import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogDirectory } from './log-directory.js';
import { recordingLogger } from './partition-log.test-support.js';
import { makeBatch } from './record-batch.test-support.js';
import { tempLogDir } from './log-test-dir.test-support.js';

describe('LogDirectory', () => {
  it('closeWritesCheckpoints: recovery points and log start offsets of every partition, in Kafka format', async () => {
    const dir = tempLogDir();
    const logs = await LogDirectory.open(dir);
    const a = await logs.openLog('orders', 0);
    const b = await logs.openLog('orders', 1);
    expect(await logs.openLog('orders', 0)).toBe(a);
    for (let i = 0; i < 3; i++) await a.appendAsLeader(makeBatch({ records: 2 }), 0);
    await b.appendAsLeader(makeBatch(), 0);
    await a.maybeIncrementLogStartOffset(2n);
    await logs.close();
    expect(readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8')).toBe('0\n2\norders 0 6\norders 1 1\n');
    expect(readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8')).toBe('0\n2\norders 0 2\norders 1 0\n');
  });

  it('reopen: logs open at their checkpointed offsets with nothing to recover', async () => {
    const dir = tempLogDir();
    const first = await LogDirectory.open(dir);
    const log = await first.openLog('orders', 3);
    for (let i = 0; i < 4; i++) await log.appendAsLeader(makeBatch(), 0);
    await log.maybeIncrementLogStartOffset(1n);
    await first.close();

    const logger = recordingLogger();
    const second = await LogDirectory.open(dir, { logger });
    const reopened = await second.openLog('orders', 3);
    expect([reopened.logStartOffset, reopened.logEndOffset, reopened.recoveryPoint]).toEqual([1n, 4n, 4n]);
    expect(logger.entries).toEqual([]);
    await second.close();
  });

  it('keepsUnopenedPartitions: a checkpoint keeps the lines of partitions not opened this run', async () => {
    const dir = tempLogDir();
    writeFileSync(join(dir, 'recovery-point-offset-checkpoint'), '0\n1\npayments 7 900\n');
    mkdirSync(join(dir, 'payments-7'));
    const logs = await LogDirectory.open(dir);
    await logs.openLog('orders', 0);
    await logs.checkpoint();
    expect(readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8')).toBe('0\n2\norders 0 0\npayments 7 900\n');
    await logs.closeLog('orders', 0);
    expect(logs.log('orders', 0)).toBeUndefined();
    await logs.close();
  });
});
