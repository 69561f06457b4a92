import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeRecordBatches, encodeRecordBatch } from '@kstream/protocol';
import { LogCleaner, LogDirIo, PartitionLog, defaultLogCleanerConfig, logConfig, type CleanSummary } from '@kstream/log-storage';
import { runPoolTask } from './pool-tasks.js';

describe('pool tasks', () => {
  it('gunzip returns the bytes that were compressed', () => {
    const original = Buffer.from('kstream '.repeat(1000));
    const output = runPoolTask({ task: 'gunzip', input: gzipSync(original) }) as Uint8Array;
    expect(Buffer.from(output).equals(original)).toBe(true);
  });

  it('cleanLogRoundTrip: a clean crosses to the pool and back as plain data, and the log swaps its result in', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'kstream-pool-clean-'));
    try {
      const log = await PartitionLog.open({ logDir, topic: 'compacted', partition: 0, config: logConfig({ cleanupPolicy: ['compact'], minCleanableDirtyRatio: 0 }) });
      for (const value of ['1', '2', '3']) {
        await log.appendAsLeader(await encodeRecordBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from(value) }] }), 0);
      }
      await log.roll();
      const cleaner = await LogCleaner.open({
        io: new LogDirIo(logDir),
        logs: () => [{ log, lastStableOffset: log.logEndOffset }],
        // What the node's channel and piscina do to a task's input and output: a structured clone each way.
        execute: async (job) => structuredClone(await (runPoolTask({ task: 'cleanLog', input: structuredClone(job) }) as Promise<CleanSummary>)),
        config: defaultLogCleanerConfig,
      });
      expect(await cleaner.cleanFilthiestLog()).toMatchObject({ partition: 'compacted-0', endOffset: '3', recordsRetained: 1 });
      const read = await log.read(0n);
      const batches = await decodeRecordBatches(read.records);
      expect(batches.map((b) => [b.header.baseOffset, String(b.records[0]!.value)])).toEqual([[2n, '3']]);
      await log.close();
    } finally {
      rmSync(logDir, { recursive: true, force: true });
    }
  });

  it('unknownTask: names the task and the known ones', () => {
    expect(() => runPoolTask({ task: 'rebuildEverything' as 'gunzip', input: new Uint8Array() })).toThrow('unknown pool task "rebuildEverything" (known: gunzip, cleanLog)');
  });
});
