import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanLog } from './log-cleaner-clean.js';
import { CleanerThrottle } from './log-cleaner-throttle.js';
import { COMPACTED, cleanerFor, keyedBatch, readRecords } from './log-cleaner.test-support.js';
import { LogCleaner, defaultLogCleanerConfig } from './log-cleaner.js';
import { logConfig } from './log-config.js';
import { LogDirIo } from './log-dir-io.js';
import { openLog, recordingLogger } from './partition-log.test-support.js';
import { PartitionLog } from './partition-log.js';
import { tempLogDir } from './log-test-dir.test-support.js';

async function keysThenRoll(log: PartitionLog, keys: string[], value: string): Promise<void> {
  for (const key of keys) await log.appendAsLeader(await keyedBatch([{ key, value }]), 0);
  await log.roll();
}

describe('LogCleaner', () => {
  it('fullOffsetMapCleansAShorterDirtyRange: the next clean goes on from where the map stopped', async () => {
    const log = await openLog(tempLogDir(), { config: COMPACTED });
    await keysThenRoll(log, ['a', 'b', 'c', 'd'], 'old');
    await keysThenRoll(log, ['a', 'b', 'c', 'd'], 'new');
    // 60 bytes of dedupe buffer hold 2 entries of 24 bytes at load factor 0.9.
    const cleaner = await cleanerFor(log, { config: { dedupeBufferSize: 60 } });
    expect((await cleaner.cleanFilthiestLog())?.endOffset).toBe('2');
    expect((await cleaner.cleanFilthiestLog())?.endOffset).toBe('4');
    expect((await cleaner.cleanFilthiestLog())?.endOffset).toBe('6');
    expect((await cleaner.cleanFilthiestLog())?.endOffset).toBe('8');
    expect(await cleaner.cleanFilthiestLog()).toBeUndefined();
    expect((await readRecords(log)).map((r) => `${r.offset}:${r.key}=${r.value}`)).toEqual(['4:a=new', '5:b=new', '6:c=new', '7:d=new']);
    await log.close();
  });

  it('checkpointKeepsTheFirstDirtyOffset: cleaner-offset-checkpoint in Kafka format, read back by the next cleaner', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir, { config: COMPACTED });
    await keysThenRoll(log, ['a', 'b'], 'v');
    const cleaner = await cleanerFor(log);
    await cleaner.cleanFilthiestLog();
    expect(readFileSync(join(dir, 'cleaner-offset-checkpoint'), 'utf8')).toBe('0\n1\norders 0 2\n');
    await cleaner.close();
    expect((await cleanerFor(log)).firstDirtyOffset('orders', 0)).toBe(2n);
    expect(await (await cleanerFor(log)).cleanFilthiestLog()).toBeUndefined();
    await log.close();
  });

  it('truncationBelowTheFirstDirtyOffsetMakesWhatFollowsDirty: a follower truncated and appended to again gets its new batches cleaned', async () => {
    const log = await openLog(tempLogDir(), { config: COMPACTED });
    await keysThenRoll(log, ['a', 'b', 'c', 'd'], 'v1');
    const cleaner = await cleanerFor(log);
    await cleaner.cleanFilthiestLog();
    expect(cleaner.firstDirtyOffset('orders', 0)).toBe(4n);
    await log.truncateTo(2n);
    expect(cleaner.firstDirtyOffset('orders', 0)).toBe(2n);
    await keysThenRoll(log, ['a', 'a', 'c', 'c'], 'v2');
    await cleaner.cleanFilthiestLog();
    expect((await readRecords(log)).map((r) => `${r.offset}:${r.key}=${r.value}`)).toEqual(['1:b=v1', '3:a=v2', '5:c=v2']);
    await log.close();
  });

  it('segmentDeletedDuringACleanIsNoFailure: retention under compact,delete took a segment the clean was reading', async () => {
    const log = await openLog(tempLogDir(), { config: { ...COMPACTED, cleanupPolicy: ['compact', 'delete'], segmentBytes: 200 } });
    await keysThenRoll(log, ['a', 'b', 'c', 'a', 'b', 'c'], 'v');
    const cleaner = await cleanerFor(log, {
      execute: async (job) => {
        await log.maybeIncrementLogStartOffset(4n);
        return cleanLog(job);
      },
    });
    expect(await cleaner.cleanFilthiestLog()).toBeUndefined();
    await expect(cleaner.cleanFilthiestLog()).resolves.toMatchObject({ endOffset: '6' });
    await log.close();
  });

  it('failedCleanMarksThePartitionUncleanable: logged once with the partition, never taken again, other logs still cleaned', async () => {
    const broken = await openLog(tempLogDir(), { config: COMPACTED });
    await keysThenRoll(broken, ['a', 'a', 'a', 'a'], 'v');
    const healthy = await PartitionLog.open({ logDir: tempLogDir(), topic: 'other', partition: 3, config: logConfig(COMPACTED) });
    await keysThenRoll(healthy, ['a', 'a'], 'v');
    const logger = recordingLogger();
    const cleaner = await LogCleaner.open({
      io: new LogDirIo(broken.logDir),
      logs: () => [broken, healthy].map((log) => ({ log, lastStableOffset: log.logEndOffset })),
      execute: (job) => (job.partition === 'orders-0' ? Promise.reject(new Error('corrupt batch')) : cleanLog(job)),
      config: defaultLogCleanerConfig,
      logger,
    });
    expect(await cleaner.cleanFilthiestLog()).toBeUndefined();
    expect(logger.entries.filter((e) => e.level === 'error').map((e) => e.fields)).toEqual([{ partition: 'orders-0', error: new Error('corrupt batch') }]);
    expect((await cleaner.cleanFilthiestLog())?.partition).toBe('other-3');
    expect(await cleaner.cleanFilthiestLog()).toBeUndefined();
    expect(logger.entries.filter((e) => e.level === 'error')).toHaveLength(1);
    await broken.close();
    await healthy.close();
  });

  it('cleansInTheBackgroundEveryBackoff; disabledNeverCleans', async () => {
    const log = await openLog(tempLogDir(), { config: COMPACTED });
    await keysThenRoll(log, ['a', 'a', 'a'], 'v');
    const disabled = await cleanerFor(log, { config: { enable: false, backoffMs: 5 } });
    disabled.start();
    await sleep(100);
    expect(await readRecords(log)).toHaveLength(3);
    await disabled.close();
    const cleaner = await cleanerFor(log, { config: { backoffMs: 5 } });
    cleaner.start();
    for (let i = 0; i < 100 && (await readRecords(log)).length > 1; i++) await sleep(10);
    expect((await readRecords(log)).map((r) => r.offset)).toEqual([2n]);
    await cleaner.close();
    await log.close();
  });

  it('throttleHoldsTheRate: bytes ahead of log.cleaner.io.max.bytes.per.second wait', async () => {
    const throttle = new CleanerThrottle(10_000);
    const start = Date.now();
    await throttle.maybeThrottle(1_000);
    expect(Date.now() - start).toBeGreaterThanOrEqual(90);
    const unthrottled = new CleanerThrottle(Number.MAX_VALUE);
    const again = Date.now();
    await unthrottled.maybeThrottle(1 << 30);
    expect(Date.now() - again).toBeLessThan(50);
  });
});
