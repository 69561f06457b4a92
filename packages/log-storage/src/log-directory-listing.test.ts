import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { LogDirectory } from './log-directory.js';
import { tempLogDir } from './log-test-dir.test-support.js';
import { makeBatch } from './record-batch.test-support.js';

// A broker of thousands of partitions opens each log from what it already
// knows: the log directory's listing at start says which partitions have a
// directory, and a partition's own listing which files are there to read.
// An idle partition's .log is not even opened until something uses it.

/** Records the path of every file opened. */
class OpenRecordingFileSystem extends FaultyFileSystem {
  readonly opened: string[] = [];

  override async open(path: string, flags: string | number): Promise<number> {
    this.opened.push(path);
    return super.open(path, flags);
  }
}

describe('Opening logs from the directory listing', () => {
  it('aNewPartitionListsAndReadsNothing: its directory is made, and nothing else until its first append makes its .log', async () => {
    const fs = new OpenRecordingFileSystem();
    const dir = tempLogDir();
    const logs = await LogDirectory.open(dir, { fileSystem: fs });
    fs.calls.length = 0;
    expect(await logs.listPartition('orders', 0)).toBeUndefined();
    const log = await logs.openLog('orders', 0);
    expect(fs.calls).toEqual(['mkdir']);
    expect(logs.io.budget.open).toBe(0);
    expect((await log.appendAsLeader(makeBatch(), 0)).firstOffset).toBe(0n);
    expect(fs.opened).toContain(join(dir, 'orders-0', '00000000000000000000.log'));
    await logs.close();
  });

  it('aNewLogsDirectoryIsSyncedWithItsFirstFlush: the .log its first append made is in the directory for good once the flush returns', async () => {
    const fs = new OpenRecordingFileSystem();
    const dir = tempLogDir();
    const logs = await LogDirectory.open(dir, { fileSystem: fs });
    const log = await logs.openLog('orders', 0);
    // Idle, it has no file to sync the directory for: a flush (as at close) opens nothing.
    fs.opened.length = 0;
    await log.flush();
    expect(fs.opened).toEqual([]);
    expect((await log.appendAsLeader(makeBatch(), 0)).firstOffset).toBe(0n);
    fs.opened.length = 0;
    await log.flush();
    // fsyncDir opens the directory to sync it.
    expect(fs.opened).toContain(join(dir, 'orders-0'));
    fs.opened.length = 0;
    expect((await log.appendAsLeader(makeBatch(), 0)).firstOffset).toBe(1n);
    await log.flush();
    expect(fs.opened).not.toContain(join(dir, 'orders-0'));
    await logs.close();
  });

  it('aNeverUsedPartitionReopensFromItsListingAlone: its directory holds no file, so it lists it and makes no other call', async () => {
    const dir = tempLogDir();
    const first = await LogDirectory.open(dir);
    await first.openLog('orders', 0);
    await first.close();

    const fs = new OpenRecordingFileSystem();
    const logs = await LogDirectory.open(dir, { fileSystem: fs });
    fs.calls.length = 0;
    const listed = await logs.listPartition('orders', 0);
    expect(listed).toEqual([]);
    const idle = await logs.openLog('orders', 0, undefined, undefined, listed);
    expect(fs.calls).toEqual(['readdir']);
    expect(idle.logEndOffset).toBe(0n);
    expect((await idle.appendAsLeader(makeBatch({ records: 2 }), 0)).firstOffset).toBe(0n);
    await logs.close();
    const again = await LogDirectory.open(dir);
    const log = await again.openLog('orders', 0, undefined, undefined, await again.listPartition('orders', 0));
    expect(log.logEndOffset).toBe(2n);
    await again.close();
  });

  it('anIdlePartitionOpensNoFile: reopened from its listing, it stats its .log and holds no descriptor until it is used', async () => {
    const dir = tempLogDir();
    const first = await LogDirectory.open(dir);
    await first.openLog('orders', 0);
    const used = await first.openLog('orders', 1);
    await used.appendAsLeader(makeBatch({ records: 3 }), 0);
    await first.close();
    // An empty segment's .log, as a segment rolled and not yet written to leaves it.
    writeFileSync(join(dir, 'orders-0', '00000000000000000000.log'), '');

    const fs = new OpenRecordingFileSystem();
    const logs = await LogDirectory.open(dir, { fileSystem: fs });
    fs.calls.length = 0;
    fs.opened.length = 0;
    const listed = await logs.listPartition('orders', 0);
    expect(listed).toEqual(['00000000000000000000.log']);
    const idle = await logs.openLog('orders', 0, undefined, undefined, listed);
    expect(fs.calls).toEqual(['readdir', 'stat']);
    expect(logs.io.budget.open).toBe(0);
    expect(idle.logEndOffset).toBe(0n);

    // A segment with batches reads its tail past the last index entry at open, as Kafka's does: its .log opens then.
    const reopened = await logs.openLog('orders', 1, undefined, undefined, await logs.listPartition('orders', 1));
    expect(reopened.logEndOffset).toBe(3n);
    expect((await reopened.read(0n)).nextOffset).toBe(3n);
    const idlePath = join(dir, 'orders-0', '00000000000000000000.log');
    expect(fs.opened).not.toContain(idlePath);
    // The idle one's first use opens it.
    expect((await idle.appendAsLeader(makeBatch(), 0)).firstOffset).toBe(0n);
    expect(fs.opened).toContain(idlePath);
    expect(logs.io.budget.open).toBe(2);
    await logs.close();
  });

  it('aDirectoryMadeSinceTheStartIsRead: a partition directory the start did not list is listed, never taken for new and emptied', async () => {
    const elsewhere = tempLogDir();
    const writer = await LogDirectory.open(elsewhere);
    await (await writer.openLog('orders', 0)).appendAsLeader(makeBatch({ records: 5 }), 0);
    await writer.close();

    const dir = tempLogDir();
    const logs = await LogDirectory.open(dir);
    cpSync(join(elsewhere, 'orders-0'), join(dir, 'orders-0'), { recursive: true });
    const log = await logs.openLog('orders', 0);
    expect(log.logEndOffset).toBe(5n);
    expect((await log.read(0n)).nextOffset).toBe(5n);
    await logs.close();
  });
});
