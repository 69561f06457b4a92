import { describe, expect, it } from 'vitest';
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { openLog } from './partition-log.test-support.js';
import { makeBatch } from './record-batch.test-support.js';
import { partitionDir, tempLogDir } from './log-test-dir.test-support.js';
import type { PartitionLog } from './partition-log.js';

// 96-byte batches of 3 records: five to a segment, so segments start at 0, 15, 30.
const CONFIG = { segmentBytes: 500, indexIntervalBytes: 100, retentionMs: -1 };
// Out of order within and across segments; 7000 first reached by the batch ending at offset 20, tied later in the same and the next segment.
const TIMESTAMPS = [1000, 5000, 3000, 5000, 2000, 4000, 7000, 6000, 7000, 1000, 7000, 6500];

async function appendAll(log: PartitionLog, timestamps: number[], epoch = 0): Promise<void> {
  for (const t of timestamps) await log.appendAsLeader(makeBatch({ records: 3, bodyBytes: 35, maxTimestamp: BigInt(t) }), epoch);
}

describe('PartitionLog.maxTimestampAndOffset', () => {
  it("acrossSegments: the greatest timestamp, the first batch to reach it winning ties, at that batch's last offset", async () => {
    const log = await openLog(tempLogDir(), { config: CONFIG });
    expect(log.maxTimestampAndOffset()).toBeUndefined();
    await appendAll(log, TIMESTAMPS, 2);
    expect(log.segmentBaseOffsets()).toEqual([0n, 15n, 30n]);
    expect(log.maxTimestampAndOffset()).toEqual({ timestamp: 7000n, offset: 20n, leaderEpoch: 2 });
    await log.roll();
    expect(log.maxTimestampAndOffset()).toEqual({ timestamp: 7000n, offset: 20n, leaderEpoch: 2 });
    await appendAll(log, [7001]);
    expect(log.maxTimestampAndOffset()).toMatchObject({ timestamp: 7001n, offset: 38n });
    await log.close();
  });

  it('reopenClean: the indexes and tail scan give back the same answer', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir, { config: CONFIG });
    await appendAll(log, TIMESTAMPS);
    await log.close();
    const reopened = await openLog(dir, { config: CONFIG, recoveryPoint: log.recoveryPoint });
    expect(reopened.maxTimestampAndOffset()).toMatchObject({ timestamp: 7000n, offset: 20n });
    await reopened.close();
  });

  it('reopenAfterCrash: segments rebuilt by recovery give back the same answer', async () => {
    const dir = tempLogDir();
    const fs = new FaultyFileSystem();
    const log = await openLog(dir, { config: CONFIG, fileSystem: fs });
    await appendAll(log, TIMESTAMPS);
    await fs.crash();
    unlinkSync(join(partitionDir(dir), 'leader-epoch-checkpoint'));
    const reopened = await openLog(dir, { config: CONFIG });
    expect(reopened.recoveryPoint).toBe(0n);
    expect(reopened.maxTimestampAndOffset()).toMatchObject({ timestamp: 7000n, offset: 20n });
    await reopened.close();
  });

  it('truncateTo: removing the batch holding the max falls back to the greatest left, also after reopen', async () => {
    const dir = tempLogDir();
    const log = await openLog(dir, { config: CONFIG });
    await appendAll(log, TIMESTAMPS);
    await log.truncateTo(21n);
    expect(log.maxTimestampAndOffset()).toMatchObject({ timestamp: 7000n, offset: 20n });
    await log.truncateTo(19n);
    expect(log.maxTimestampAndOffset()).toMatchObject({ timestamp: 5000n, offset: 5n });
    await appendAll(log, [5000]);
    expect(log.maxTimestampAndOffset()).toMatchObject({ timestamp: 5000n, offset: 5n });
    await log.close();
    const reopened = await openLog(dir, { config: CONFIG, recoveryPoint: log.recoveryPoint });
    expect(reopened.maxTimestampAndOffset()).toMatchObject({ timestamp: 5000n, offset: 5n });
    await reopened.truncateTo(0n);
    expect(reopened.maxTimestampAndOffset()).toBeUndefined();
    await reopened.close();
  });

  it('retentionDeletesTheMax: once the segment holding the max is deleted, the next greatest answers', async () => {
    const log = await openLog(tempLogDir(), { config: { ...CONFIG, retentionBytes: 600 } });
    await appendAll(log, [1000, 9000, 2000, 3000, 4000, 5000, 8000, 6000, 8000, 1000, 7000, 6500]);
    expect(log.maxTimestampAndOffset()).toMatchObject({ timestamp: 9000n, offset: 5n });
    expect(await log.deleteOldSegments()).toBe(1);
    expect(log.segmentBaseOffsets()).toEqual([15n, 30n]);
    expect(log.maxTimestampAndOffset()).toMatchObject({ timestamp: 8000n, offset: 20n });
    await log.close();
  });
});
