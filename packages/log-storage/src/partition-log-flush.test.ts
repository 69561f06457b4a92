import { describe, expect, it, vi } from 'vitest';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { openLog } from './partition-log.test-support.js';
import { makeBatch } from './record-batch.test-support.js';
import { tempLogDir } from './log-test-dir.test-support.js';

function tracked<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  return { promise, settled: () => done };
}

describe('Flush policies', () => {
  it('groupCommit: a durable append waits for an fdatasync; appends written during a sync share the next one', async () => {
    const fs = new FaultyFileSystem();
    const log = await openLog(tempLogDir(), { fileSystem: fs, config: { flushPolicy: 'durable' } });
    const syncsBefore = fs.syncs;
    const release = fs.holdSyncs();
    const a = tracked(log.appendAsLeader(makeBatch(), 0));
    await vi.waitFor(() => expect(fs.syncsStarted).toBe(1));
    const others = Array.from({ length: 10 }, () => tracked(log.appendAsLeader(makeBatch(), 0)));
    await vi.waitFor(() => expect(log.logEndOffset).toBe(11n));
    expect(a.settled()).toBe(false);
    expect(others.some((o) => o.settled())).toBe(false);
    release();
    await a.promise;
    await Promise.all(others.map((o) => o.promise));
    expect(fs.syncs - syncsBefore).toBe(2);
    await log.close();
  });

  it('groupCommitConcurrency: 64 concurrent appenders need far fewer syncs than appends', async () => {
    const fs = new FaultyFileSystem();
    const log = await openLog(tempLogDir(), { fileSystem: fs, config: { flushPolicy: 'durable' } });
    const before = fs.syncs;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        for (let i = 0; i < 5; i++) await log.appendAsLeader(makeBatch({ bodyBytes: 1000 }), 0);
      }),
    );
    expect(log.logEndOffset).toBe(320n);
    expect(fs.syncs - before).toBeLessThan(40);
    await log.close();
  });

  it('pageCache: appends never call fdatasync; close flushes and moves the recovery point to the end', async () => {
    const fs = new FaultyFileSystem();
    const log = await openLog(tempLogDir(), { fileSystem: fs });
    for (let i = 0; i < 20; i++) await log.appendAsLeader(makeBatch(), 0);
    expect(fs.syncsStarted).toBe(0);
    expect(log.recoveryPoint).toBe(0n);
    await log.close();
    expect(fs.syncs).toBeGreaterThan(0);
    expect(log.recoveryPoint).toBe(20n);
  });

  it('rollFlushes: a roll flushes the old segment in the background and the recovery point follows', async () => {
    const log = await openLog(tempLogDir(), { config: { segmentBytes: 200 } });
    for (let i = 0; i < 5; i++) await log.appendAsLeader(makeBatch({ bodyBytes: 39 }), 0);
    expect(log.segmentBaseOffsets()).toEqual([0n, 2n, 4n]);
    await vi.waitFor(() => expect(log.recoveryPoint).toBe(4n));
    await log.close();
  });

  it('flushMessages: flush.messages unflushed messages trigger a flush', async () => {
    const fs = new FaultyFileSystem();
    const log = await openLog(tempLogDir(), { fileSystem: fs, config: { flushMessages: 3 } });
    await log.appendAsLeader(makeBatch({ records: 2 }), 0);
    expect(fs.syncsStarted).toBe(0);
    await log.appendAsLeader(makeBatch({ records: 2 }), 0);
    await vi.waitFor(() => expect(log.recoveryPoint).toBe(4n));
    await log.close();
  });

  it('explicitFlush: flush(upTo) makes that prefix durable and moves the recovery point only there', async () => {
    const log = await openLog(tempLogDir(), { config: { segmentBytes: 200 } });
    for (let i = 0; i < 5; i++) await log.appendAsLeader(makeBatch({ bodyBytes: 39 }), 0);
    await log.flush(3n);
    expect(log.recoveryPoint).toBeGreaterThanOrEqual(3n);
    await log.flush();
    expect(log.recoveryPoint).toBe(5n);
    await log.close();
  });
});
