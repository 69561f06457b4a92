import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { cleanLog } from './log-cleaner-clean.js';
import type { CleanJob, CleanSummary } from './log-cleaner-job.js';
import { encodeEndTxnMarkerBatch } from '@kstream/protocol';
import { COMPACTED, appendAt, cleanerFor, keyedBatch, readCommitted, readRecords, type StoredRecord } from './log-cleaner.test-support.js';
import { openLog } from './partition-log.test-support.js';
import type { PartitionLog } from './partition-log.js';
import { partitionDir, tempLogDir } from './log-test-dir.test-support.js';

const CONFIG = { ...COMPACTED, segmentBytes: 400 };

/** Once armed, renames go through until `count` have been made; the next one crashes the file system (see FaultyFileSystem.crash). */
class CrashAtRename extends FaultyFileSystem {
  private count = Infinity;
  arm(count: number): void {
    this.count = count;
  }
  override async rename(from: string, to: string): Promise<void> {
    if (this.count-- === 0) {
      await this.crash();
      throw Object.assign(new Error('EIO: crashed at a rename'), { code: 'EIO' });
    }
    return super.rename(from, to);
  }
}

/** A log of 4 closed segments of 2 batches each (keys overwritten across them) and an active one. */
async function dirtyLog(dir: string, fileSystem?: FaultyFileSystem): Promise<PartitionLog> {
  const log = await openLog(dir, { config: CONFIG, fileSystem });
  for (let i = 0; i < 8; i++) {
    await log.appendAsLeader(
      await keyedBatch([
        { key: `k${i % 3}`, value: `v${i}` },
        { key: `j${i % 2}`, value: i === 5 ? null : `w${i}` },
      ]),
      0,
    );
    if (i % 2 === 1) await log.roll();
  }
  await log.appendAsLeader(await keyedBatch([{ key: 'k0', value: 'active' }]), 0);
  return log;
}

const marker = (commit: boolean, producerId: bigint): Promise<Buffer> =>
  encodeEndTxnMarkerBatch({ commit, producerId, producerEpoch: 0, coordinatorEpoch: 0, timestamp: 1_700_000_000_000 });

/**
 * A log of aborted and committed transactions: the first aborted in the
 * segment of its data (the clean keeps its marker and index entry), the
 * second with its markers a segment later (their data and markers in
 * different cleaned segments); each producer writes a last plain batch.
 */
async function transactionalLog(dir: string, fileSystem?: FaultyFileSystem): Promise<PartitionLog> {
  const log = await openLog(dir, { config: CONFIG, fileSystem });
  for (let round = 0; round < 2; round++) {
    const producer = BigInt(round + 1);
    await appendAt(log, await keyedBatch([{ key: `k${round % 2}`, value: `aborted${round}` }], { producerId: producer, isTransactional: true }));
    await appendAt(log, await keyedBatch([{ key: `k${round % 2}`, value: `plain${round}` }]));
    await appendAt(log, await keyedBatch([{ key: 'j', value: `committed${round}` }], { producerId: producer + 10n, isTransactional: true }));
    if (round > 0) await log.roll();
    await appendAt(log, await marker(false, producer));
    await appendAt(log, await marker(true, producer + 10n));
    await appendAt(log, await keyedBatch([{ key: `z${round}`, value: 'last' }], { producerId: producer }));
    await log.roll();
  }
  await appendAt(log, await keyedBatch([{ key: 'k0', value: 'active' }]));
  await log.flush();
  return log;
}

/** The job the cleaner would run on the log now, captured instead of run. */
async function jobFor(log: PartitionLog): Promise<CleanJob> {
  let captured: CleanJob | undefined;
  const cleaner = await cleanerFor(log, {
    execute: (job) => {
      captured = job;
      return Promise.resolve({ partition: job.partition, groups: [], endOffset: job.firstDirtyOffset, bytesRead: 0, bytesWritten: 0, recordsRead: 0, recordsRetained: 0 });
    },
  });
  await cleaner.cleanFilthiestLog();
  return captured!;
}

function leftovers(dir: string): string[] {
  return readdirSync(partitionDir(dir)).filter((name) => /\.(cleaned|swap|deleted)$/.test(name));
}

/** Each record read is one the log held before the clean, everything the clean kept is there, offsets never repeat. */
function expectOldOrNew(read: StoredRecord[], before: StoredRecord[], after: StoredRecord[]): void {
  const key = (r: StoredRecord): string => `${r.offset}|${r.key}|${r.value}`;
  const old = new Set(before.map(key));
  for (const r of read) expect(old.has(key(r)), key(r)).toBe(true);
  const have = new Set(read.map(key));
  for (const r of after) expect(have.has(key(r)), key(r)).toBe(true);
  for (let i = 1; i < read.length; i++) expect(read[i]!.offset).toBeGreaterThan(read[i - 1]!.offset);
}

describe('the cleaner swap', () => {
  it('crashAtEveryRenameLeavesOldOrNewRecords: a crash at any step of the swap reopens to a readable log, each offset old or new, nothing left behind', async () => {
    const reference = tempLogDir();
    const referenceLog = await dirtyLog(reference);
    const before = await readRecords(referenceLog);
    const summary = await cleanLog(await jobFor(referenceLog));
    expect(summary.groups.length).toBeGreaterThan(1);
    expect(await referenceLog.replaceCleanedSegments(summary)).toBe(true);
    const after = await readRecords(referenceLog);
    expect(after.length).toBeLessThan(before.length);
    await referenceLog.close();
    // Four files a segment (the .txnindex tried even when absent), in each of the swap's three steps.
    const renames = summary.groups.reduce((n, g) => n + 4 + 4 * g.replaced.length + 4, 0);

    for (let crashAt = 0; crashAt <= renames; crashAt++) {
      const dir = tempLogDir();
      const fs = new CrashAtRename();
      const log = await dirtyLog(dir, fs);
      const cleaned = await cleanLog(await jobFor(log));
      fs.arm(crashAt);
      const swapped = await log.replaceCleanedSegments(cleaned).catch(() => 'crashed');
      if (crashAt < renames) expect(swapped, `crash at rename ${crashAt}`).toBe('crashed');
      await fs.crash();
      const reopened = await openLog(dir, { config: CONFIG });
      expectOldOrNew(await readRecords(reopened), before, after);
      expect(leftovers(dir), `crash at rename ${crashAt}`).toEqual([]);
      expect((await reopened.appendAsLeader(await keyedBatch([{ key: 'x', value: 'y' }]), 0)).firstOffset).toBe(17n);
      await reopened.close();
    }
  }, 90_000);

  it('crashAtEveryRenameKeepsAbortsHidden: with transactions, a crash at any step reopens to a log whose read_committed view is old or new, no aborted record shown', async () => {
    const reference = tempLogDir();
    const referenceLog = await transactionalLog(reference);
    const before = await readCommitted(referenceLog);
    const summary = await cleanLog(await jobFor(referenceLog));
    expect(await referenceLog.replaceCleanedSegments(summary)).toBe(true);
    const after = await readCommitted(referenceLog);
    expect(after.length).toBeLessThan(before.length);
    expect(readdirSync(partitionDir(reference)).filter((name) => name.endsWith('.txnindex')).length).toBeGreaterThan(0);
    await referenceLog.close();
    const renames = summary.groups.reduce((n, g) => n + 4 + 4 * g.replaced.length + 4, 0);

    for (let crashAt = 0; crashAt <= renames; crashAt++) {
      const dir = tempLogDir();
      const fs = new CrashAtRename();
      const log = await transactionalLog(dir, fs);
      const cleaned = await cleanLog(await jobFor(log));
      fs.arm(crashAt);
      await log.replaceCleanedSegments(cleaned).catch(() => 'crashed');
      await fs.crash();
      const reopened = await openLog(dir, { config: CONFIG });
      const read = await readCommitted(reopened);
      for (const record of read) expect(before, `crash at rename ${crashAt}`).toContain(record);
      for (const record of after) expect(read, `crash at rename ${crashAt}`).toContain(record);
      expect(leftovers(dir), `crash at rename ${crashAt}`).toEqual([]);
      await reopened.close();
    }
  }, 90_000);

  it('crashWhileWritingCleanedFilesLeavesTheOldLog: the next open deletes the .cleaned files', async () => {
    const dir = tempLogDir();
    const log = await dirtyLog(dir);
    const before = await readRecords(log);
    const job = await jobFor(log);
    const fs = new FaultyFileSystem();
    fs.failWritesAfter(100, 'EIO');
    await expect(cleanLog(job, { fileSystem: fs })).rejects.toThrow(/EIO/);
    await log.close();
    const reopened = await openLog(dir, { config: CONFIG });
    expect(await readRecords(reopened)).toEqual(before);
    expect(leftovers(dir)).toEqual([]);
    await reopened.close();
  });

  it('segmentsChangedMeanwhileDiscardsTheClean: retention, DeleteRecords or truncation moved them, the clean is dropped and its files removed', async () => {
    const dir = tempLogDir();
    const log = await dirtyLog(dir);
    const summary: CleanSummary = await cleanLog(await jobFor(log));
    await log.maybeIncrementLogStartOffset(4n);
    const before = await readRecords(log);
    expect(await log.replaceCleanedSegments(summary)).toBe(false);
    expect(await readRecords(log)).toEqual(before);
    expect(leftovers(dir)).toEqual([]);
    await log.close();
  });

  it('appendsWhileACleanRunsAreKept: the clean reads the segments it was given, the active one takes appends meanwhile', async () => {
    const dir = tempLogDir();
    const log = await dirtyLog(dir);
    const job = await jobFor(log);
    const cleaning = cleanLog(job);
    const appended: bigint[] = [];
    for (let i = 0; i < 5; i++) appended.push((await log.appendAsLeader(await keyedBatch([{ key: 'k0', value: `during${i}` }]), 0)).firstOffset);
    expect(await log.replaceCleanedSegments(await cleaning)).toBe(true);
    const records = await readRecords(log);
    expect(records.slice(-6).map((r) => [r.offset, r.value])).toEqual([[16n, 'active'], ...appended.map((offset, i) => [offset, `during${i}`])]);
    expect(records.filter((r) => r.key === 'k1')).toHaveLength(1);
    await log.close();
  });

  it('readsDuringTheSwapSeeOldOrNew: a read holding a replaced segment finishes on its files', async () => {
    const dir = tempLogDir();
    const log = await dirtyLog(dir);
    const before = await readRecords(log);
    const summary = await cleanLog(await jobFor(log));
    const reading = readRecords(log);
    await log.replaceCleanedSegments(summary);
    const during = await reading;
    const after = await readRecords(log);
    expectOldOrNew(during, before, after);
    await log.close();
  });
});
