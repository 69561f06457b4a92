import { describe, expect, it } from 'vitest';
import { CompressionType, ErrorCode } from '@kstream/protocol';
import { PartitionError } from '@kstream/replication';
import { MAX_TIMESTAMP } from './partition-offsets.js';
import { assignment, batch, closeManager, openManager, tempDir } from './partitions.test-support.js';
import type { ReplicaManager } from './replica-manager.js';

const EARLIEST = -2n;
const LATEST = -1n;

async function appendWithTimestamps(manager: ReplicaManager, ...batches: number[][]): Promise<void> {
  for (const timestamps of batches) {
    const answer = await manager.appendRecords('orders', 0, await batch(timestamps.map(String), { timestamps }), 1, 1000);
    expect(answer.errorCode).toBe(0);
  }
}

function lookup(manager: ReplicaManager, timestamp: bigint) {
  return manager.fetchOffsetForTimestamp('orders', 0, timestamp, false);
}

describe('ListOffsets lookups', () => {
  it('earliestAndLatest: -2 is the log start offset, -1 the high watermark with the leader epoch', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders', { leaderEpoch: 4 }));
    await appendWithTimestamps(manager, [100, 200], [300]);
    await manager.deleteRecords('orders', 0, 1n);
    expect(await lookup(manager, EARLIEST)).toEqual({ timestamp: -1n, offset: 1n, leaderEpoch: 4 });
    expect(await lookup(manager, LATEST)).toEqual({ timestamp: -1n, offset: 3n, leaderEpoch: 4 });
  });

  it('byTimestampWithinBatch: the first record whose timestamp is >= t, inside the batch the time index finds', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders', { leaderEpoch: 2 }));
    await appendWithTimestamps(manager, [100, 200, 300], [400, 500]);
    expect(await lookup(manager, 150n)).toEqual({ timestamp: 200n, offset: 1n, leaderEpoch: 2 });
    expect(await lookup(manager, 300n)).toEqual({ timestamp: 300n, offset: 2n, leaderEpoch: 2 });
    expect(await lookup(manager, 301n)).toEqual({ timestamp: 400n, offset: 3n, leaderEpoch: 2 });
    expect(await lookup(manager, 0n)).toEqual({ timestamp: 100n, offset: 0n, leaderEpoch: 2 });
    expect(await lookup(manager, 501n)).toEqual({ timestamp: -1n, offset: -1n, leaderEpoch: -1 });
  });

  it('byTimestampAfterLogStart: records below the log start offset are never answered, even inside a kept batch', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders'));
    await appendWithTimestamps(manager, [100, 900, 300], [400]);
    await manager.deleteRecords('orders', 0, 2n);
    // 900 (offset 1) is below the log start offset though its batch is kept; nothing from offset 2 on reaches 500.
    expect((await lookup(manager, 500n)).offset).toBe(-1n);
    expect(await lookup(manager, 350n)).toMatchObject({ timestamp: 400n, offset: 3n });
  });

  it('compressedBatch: a compressed batch is decompressed to find the record', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders'));
    const records = await batch(['a', 'b', 'c'], { timestamps: [10, 20, 30], compression: CompressionType.Gzip });
    await manager.appendRecords('orders', 0, records, 1, 1000);
    expect(await lookup(manager, 15n)).toMatchObject({ timestamp: 20n, offset: 1n });
  });

  it('maxTimestamp: -3 is the first record carrying the greatest timestamp, kept current by appends', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders'));
    expect(await lookup(manager, MAX_TIMESTAMP)).toMatchObject({ offset: -1n, timestamp: -1n });
    await appendWithTimestamps(manager, [100, 900, 300], [500]);
    expect(await lookup(manager, MAX_TIMESTAMP)).toMatchObject({ timestamp: 900n, offset: 1n });
    await appendWithTimestamps(manager, [900]);
    expect(await lookup(manager, MAX_TIMESTAMP)).toMatchObject({ timestamp: 900n, offset: 1n });
    await appendWithTimestamps(manager, [50, 1000]);
    expect(await lookup(manager, MAX_TIMESTAMP)).toMatchObject({ timestamp: 1000n, offset: 6n });
  });

  it('maxTimestampAfterRestartAndDeletion: a reopened log is scanned; deleting the max record moves the answer', async () => {
    const logDir = tempDir();
    const before = await openManager({ logDir, clock: () => 0 });
    await before.applyAssignment(assignment('orders', { configs: { 'segment.bytes': '200' } }));
    await appendWithTimestamps(before, [100], [900], [300], [500]);
    await closeManager(before);
    const manager = await openManager({ logDir });
    await manager.applyAssignment(assignment('orders', { configs: { 'segment.bytes': '200' } }));
    expect(await lookup(manager, MAX_TIMESTAMP)).toMatchObject({ timestamp: 900n, offset: 1n });
    await manager.deleteRecords('orders', 0, 2n);
    expect(await lookup(manager, MAX_TIMESTAMP)).toMatchObject({ timestamp: 500n, offset: 3n });
  });

  it('maxTimestampBelowLogStart: a greatest timestamp DeleteRecords removed inside a kept batch is not answered', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders'));
    await appendWithTimestamps(manager, [100, 900, 300]);
    await manager.deleteRecords('orders', 0, 2n);
    expect(await lookup(manager, MAX_TIMESTAMP)).toEqual({ timestamp: -1n, offset: -1n, leaderEpoch: -1 });
  });

  it("maxTimestampLogAppendTime: under LogAppendTime the broker's stamp is the timestamp, the batch's first record the offset", async () => {
    let now = 5_000;
    const manager = await openManager({ clock: () => now });
    await manager.applyAssignment(assignment('orders', { configs: { 'message.timestamp.type': 'LogAppendTime' } }));
    await appendWithTimestamps(manager, [1, 2]);
    now = 7_000;
    await appendWithTimestamps(manager, [1, 2, 3]);
    expect(await lookup(manager, MAX_TIMESTAMP)).toMatchObject({ timestamp: 7_000n, offset: 2n });
    expect(await lookup(manager, 6_000n)).toMatchObject({ timestamp: 7_000n, offset: 2n });
  });

  it('onlyBelowHighWatermark: with the high watermark held back, appended records are not answered', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders', { replicas: [1, 2], isr: [1, 2] }));
    await appendWithTimestamps(manager, [100]);
    expect(await lookup(manager, LATEST)).toMatchObject({ offset: 0n });
    expect(await lookup(manager, 50n)).toMatchObject({ offset: -1n });
    expect(await lookup(manager, MAX_TIMESTAMP)).toMatchObject({ offset: -1n });
  });

  it('leaderEpochChecked: a stale currentLeaderEpoch is FENCED_LEADER_EPOCH', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders', { leaderEpoch: 3 }));
    const failure = await manager.fetchOffsetForTimestamp('orders', 0, LATEST, false, 1).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PartitionError);
    expect((failure as PartitionError).errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
  });
});

describe('OffsetForLeaderEpoch and DeleteRecords', () => {
  it('endOffsetForEpoch: an epoch ends where the next begins; the current one at the log end offset; unknown newer ones are -1', async () => {
    const manager = await openManager();
    const orders = assignment('orders', { leaderEpoch: 1 });
    await manager.applyAssignment(orders);
    await appendWithTimestamps(manager, [1], [2]);
    await manager.applyAssignment({ ...orders, state: { ...orders.state, leaderEpoch: 3 } });
    await appendWithTimestamps(manager, [3]);
    expect(await manager.lastOffsetForLeaderEpoch('orders', 0, 1)).toEqual({ epoch: 1, endOffset: 2n });
    expect(await manager.lastOffsetForLeaderEpoch('orders', 0, 2)).toEqual({ epoch: 1, endOffset: 2n });
    expect(await manager.lastOffsetForLeaderEpoch('orders', 0, 3)).toEqual({ epoch: 3, endOffset: 3n });
    expect(await manager.lastOffsetForLeaderEpoch('orders', 0, 7)).toEqual({ epoch: -1, endOffset: -1n });
  });

  it('deleteRecordsBounds: -1 deletes to the high watermark; beyond it is OFFSET_OUT_OF_RANGE; below the start changes nothing', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('orders'));
    await appendWithTimestamps(manager, [1], [2], [3]);
    expect(await manager.deleteRecords('orders', 0, 1n)).toBe(1n);
    expect(await manager.deleteRecords('orders', 0, 0n)).toBe(1n);
    const beyond = await manager.deleteRecords('orders', 0, 4n).catch((e: unknown) => e);
    expect((beyond as PartitionError).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect((beyond as PartitionError).message).toContain('high watermark is 3');
    const negative = await manager.deleteRecords('orders', 0, -5n).catch((e: unknown) => e);
    expect((negative as PartitionError).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(await manager.deleteRecords('orders', 0, -1n)).toBe(3n);
  });
});
