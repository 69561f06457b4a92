import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { partitionDir, tempLogDir } from './log-test-dir.test-support.js';
import { openLog, recordingLogger } from './partition-log.test-support.js';
import { makeBatch } from './record-batch.test-support.js';

// A new segment's .index and .timeindex are made lazily, as Kafka's
// LazyIndex defers its own: with their first entry, or once the segment
// holds a batch. An idle partition's directory holds its .log alone, and
// opening it reads no index file.

/** Records the paths the log opens. */
class OpenRecordingFileSystem extends FaultyFileSystem {
  readonly opened: string[] = [];

  override async open(path: string, flags: string | number): Promise<number> {
    this.opened.push(path);
    return super.open(path, flags);
  }
}

const segmentFiles = (dir: string) =>
  readdirSync(partitionDir(dir))
    .filter((name) => /^\d{20}\./.test(name) && !name.endsWith('.snapshot'))
    .sort();
const indexOpens = (fs: OpenRecordingFileSystem) => fs.opened.filter((path) => path.endsWith('.index') || path.endsWith('.timeindex'));
const rebuilds = (logger: ReturnType<typeof recordingLogger>) => logger.entries.filter((e) => e.msg.startsWith('Rebuilding'));

describe('Lazy index files', () => {
  it('anIdleLogHasNoIndexFiles: created, closed and reopened, it never makes, opens or reads one (nor its .log, until the first append)', async () => {
    const dir = tempLogDir();
    const creating = new OpenRecordingFileSystem();
    const log = await openLog(dir, { fileSystem: creating });
    await log.close();
    expect(segmentFiles(dir)).toEqual([]);
    expect(indexOpens(creating)).toEqual([]);

    const reopening = new OpenRecordingFileSystem();
    const logger = recordingLogger();
    const reopened = await openLog(dir, { fileSystem: reopening, logger, recoveryPoint: 0n });
    expect(reopened.logEndOffset).toBe(0n);
    expect((await reopened.appendAsLeader(makeBatch({ fill: 7 }), 0)).firstOffset).toBe(0n);
    expect(indexOpens(reopening)).toEqual([]);
    await reopened.close();
    expect(segmentFiles(dir)).toContain('00000000000000000000.log');
    expect(rebuilds(logger)).toEqual([]);
  });

  it('aSegmentWithBatchesGetsItsFilesAtClose: fewer bytes than index.interval.bytes (no entry) still make both files, so the next open trusts them', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    await log.appendAsLeader(makeBatch({ fill: 1 }), 0);
    await log.close();
    expect(segmentFiles(dir)).toEqual(['00000000000000000000.index', '00000000000000000000.log', '00000000000000000000.timeindex']);

    const logger = recordingLogger();
    const reopened = await openLog(dir, { logger, recoveryPoint: 1n });
    expect(reopened.logEndOffset).toBe(1n);
    expect(rebuilds(logger)).toEqual([]);
    await reopened.close();
  });

  it('aRolledSegmentsLeftoverIndexIsReplaced: stale files of the new segment’s name are cut at its first write', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir, { config: { segmentBytes: 200 } });
    await log.appendAsLeader(makeBatch({ bodyBytes: 39, fill: 0 }), 0);
    await log.appendAsLeader(makeBatch({ bodyBytes: 39, fill: 1 }), 0);
    // Offset 2's segment starts at the next append: leftovers of its name, as a crash of an earlier life could leave.
    writeFileSync(join(partitionDir(dir), '00000000000000000002.index'), Buffer.alloc(64, 0x7f));
    writeFileSync(join(partitionDir(dir), '00000000000000000002.timeindex'), Buffer.alloc(96, 0x7f));
    await log.appendAsLeader(makeBatch({ bodyBytes: 39, fill: 2 }), 0);
    expect(log.segmentBaseOffsets()).toEqual([0n, 2n]);
    await log.close();

    const logger = recordingLogger();
    const reopened = await openLog(dir, { logger, recoveryPoint: 3n });
    expect(reopened.logEndOffset).toBe(3n);
    expect(rebuilds(logger)).toEqual([]);
    expect((await reopened.read(2n)).nextOffset).toBe(3n);
    await reopened.close();
  });

  it('aSegmentWithBatchesAndNoIndexIsRebuilt: a missing index is trusted only beside an empty .log', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    for (let i = 0; i < 3; i++) await log.appendAsLeader(makeBatch({ fill: i }), 0);
    await log.close();
    expect(segmentFiles(dir)).toContain('00000000000000000000.index');
    // Lost, with the batches still there: the segment is re-indexed from them.
    rmSync(join(partitionDir(dir), '00000000000000000000.index'));
    const logger = recordingLogger();
    const reopened = await openLog(dir, { logger, recoveryPoint: 3n });
    expect(reopened.logEndOffset).toBe(3n);
    expect(rebuilds(logger).map((e) => (e.fields as { problem: string }).problem)).toEqual(['offset index missing']);
    await reopened.close();
    expect(segmentFiles(dir)).toContain('00000000000000000000.index');
  });

  it('aCrashBeforeTheFirstFlushIsRecoveredQuietly: batches never flushed have no index files, which is no reason to warn', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    for (let i = 0; i < 3; i++) await log.appendAsLeader(makeBatch({ fill: i }), 0);
    expect(segmentFiles(dir)).toEqual(['00000000000000000000.log']);
    // The process dies: the batches are in the page cache, nothing was flushed or closed.
    const logger = recordingLogger();
    const recovered = await openLog(dir, { logger, recoveryPoint: 0n });
    expect(recovered.logEndOffset).toBe(3n);
    expect(rebuilds(logger)).toEqual([]);
    await recovered.close();
    await log.close().catch(() => {});
  });
});
