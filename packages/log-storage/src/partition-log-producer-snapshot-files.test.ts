import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { partitionDir, tempLogDir } from './log-test-dir.test-support.js';
import { openLog } from './partition-log.test-support.js';
import { producerBatch } from './producer-state.test-support.js';
import { makeBatch } from './record-batch.test-support.js';

// Producer snapshot files and the directory listings behind them: a log
// that never held a batch closes without writing one (a broker with 10,000
// idle replicas used to write and sync 20,000 files at every stop), and the
// manager's own record of the files on disk stands in for listing the
// directory at every open, truncation and close.

const PID = 4000n;

/** FaultyFileSystem counting directory listings, and failing renames to a snapshot file while `failSnapshotRenames` is set. */
class ListingCountingFileSystem extends FaultyFileSystem {
  listings = 0;
  failSnapshotRenames = false;
  failedRenames = 0;

  override async readdir(path: string): Promise<string[]> {
    this.listings++;
    return super.readdir(path);
  }

  override async rename(from: string, to: string): Promise<void> {
    if (this.failSnapshotRenames && to.endsWith('.snapshot')) {
      this.failedRenames++;
      throw Object.assign(new Error(`EIO: rename ${from}`), { code: 'EIO' });
    }
    await super.rename(from, to);
  }
}

function snapshotFiles(dir: string): string[] {
  return readdirSync(partitionDir(dir))
    .filter((n) => n.endsWith('.snapshot'))
    .sort();
}

describe('PartitionLog producer snapshot files', () => {
  it('emptyLogClosesWithoutOne: a log that never held a batch writes no snapshot at close, and opens again empty', async () => {
    const dir = tempLogDir();
    const fs = new ListingCountingFileSystem();
    const log = await openLog(dir, { fileSystem: fs });
    await log.close();
    expect(snapshotFiles(dir)).toEqual([]);
    expect(fs.renames.filter(([, to]) => to.endsWith('.snapshot'))).toEqual([]);
    const reopened = await openLog(dir, { recoveryPoint: 0n });
    expect(reopened.logEndOffset).toBe(0n);
    expect(reopened.activeProducers()).toEqual([]);
    await reopened.close();
  });

  it('logsWithBatchesStillSnapshot: producer batches or plain ones, the close writes the snapshot at the log end the next open starts from', async () => {
    for (const batch of [producerBatch({ producerId: PID, epoch: 0, seq: 0, records: 2 }), makeBatch({ records: 2 })]) {
      const dir = tempLogDir();
      const log = await openLog(dir);
      await log.appendAsLeader(batch, 0);
      await log.close();
      expect(snapshotFiles(dir)).toEqual(['00000000000000000002.snapshot']);
    }
  });

  it('listedOncePerOpen: opening a log with segments and snapshots lists its directory once, and truncating and closing it list it no more', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir);
    for (let seq = 0; seq < 3; seq++) {
      await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq, records: 1 }), 0);
      await log.roll();
    }
    await log.close();
    const before = snapshotFiles(dir);
    expect(before.length).toBeGreaterThanOrEqual(3);

    const fs = new ListingCountingFileSystem();
    const reopened = await openLog(dir, { fileSystem: fs, recoveryPoint: 3n });
    expect(fs.listings).toBe(1);
    expect(reopened.activeProducers().map((p) => p.producerId)).toEqual([PID]);
    await reopened.truncateTo(1n);
    await reopened.close();
    expect(fs.listings).toBe(1);
    // What it kept track of is what the directory holds: no snapshot past the truncation point survived.
    expect(snapshotFiles(dir)).toEqual(before.filter((name) => BigInt(name.slice(0, 20)) <= 1n));
  });

  it('afterAFailedWriteTheDirectoryIsListedAgain: a snapshot whose write failed midway is looked for on disk, not assumed', async () => {
    const dir = tempLogDir();
    const fs = new ListingCountingFileSystem();
    const log = await openLog(dir, { fileSystem: fs });
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0, records: 1 }), 0);
    fs.failSnapshotRenames = true;
    await log.roll();
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 1, records: 1 }), 0);
    // The roll's snapshot is written behind it.
    while (fs.failedRenames === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    fs.failSnapshotRenames = false;
    const listings = fs.listings;
    await log.truncateTo(1n);
    expect(fs.listings).toBe(listings + 1);
    await log.close();
    expect(snapshotFiles(dir)).toEqual(['00000000000000000001.snapshot']);
  });

  it('flushWaitsForTheRollsSnapshot: the recovery point passes a roll only once its snapshot, written behind the roll, is on disk', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { fileSystem: fs });
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 0, records: 2 }), 0);
    const release = fs.holdRenames((to) => to.endsWith('.snapshot'));
    await log.roll();
    await log.appendAsLeader(producerBatch({ producerId: PID, epoch: 0, seq: 2, records: 1 }), 0);
    let flushed = false;
    const flush = log.flush().then(() => (flushed = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(flushed).toBe(false);
    expect(log.recoveryPoint).toBe(0n);
    release();
    await flush;
    expect(log.recoveryPoint).toBe(3n);
    await fs.crash();
    expect(snapshotFiles(dir)).toEqual(['00000000000000000002.snapshot']);
  });
});
