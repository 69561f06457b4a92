import { describe, expect, it } from 'vitest';
import { ATTRIBUTE_CONTROL, encodeRecordBatch, ErrorCode, readBatchHeader } from '@kstream/protocol';
import { openPartition, partitionState, testContext } from './partition.test-support.js';
import type { Partition } from './partition.js';

const PRODUCER = 4000n;

/**
 * A batch of `producerId` at epoch 0 from `baseSequence`, transactional or
 * only idempotent; stamped now, as the markers are, so that segment.ms does
 * not roll a segment between them (a read returns one segment's batches).
 */
function producerBatch(values: readonly string[], baseSequence: number, isTransactional: boolean, producerId = PRODUCER): Promise<Buffer> {
  const now = Date.now();
  return encodeRecordBatch({
    producerId,
    producerEpoch: 0,
    baseSequence,
    isTransactional,
    records: values.map((value, i) => ({ key: null, value: Buffer.from(value), timestamp: now + i })),
  });
}

function marker(commit: boolean, producerId = PRODUCER) {
  return { producerId, producerEpoch: 0, coordinatorEpoch: 3, commit };
}

/** Broker 1 leading orders-0 alone: the high watermark follows every append. */
async function soleLeader(configs = {}): Promise<{ partition: Partition; appends: number[] }> {
  const context = testContext(1);
  const partition = await openPartition(context, partitionState({ replicas: [1] }), configs);
  return { partition, appends: context.appends };
}

/** The base offsets of the batches a consumer read returns. */
function baseOffsets(records: Buffer): bigint[] {
  const offsets: bigint[] = [];
  for (let position = 0; position < records.length; ) {
    const header = readBatchHeader(records, position)!;
    offsets.push(header.baseOffset);
    position += header.sizeInBytes;
  }
  return offsets;
}

describe('Partition transactions', () => {
  it('transactionalBatchAccepted: a transactional batch is appended, no longer refused', async () => {
    const { partition } = await soleLeader();
    const info = await partition.appendRecordsToLeader(await producerBatch(['t'], 0, true), -1);
    expect(info.firstOffset).toBe(0n);
    expect(partition.logEndOffset).toBe(1n);
  });

  it('lastStableOffsetHoldsAtOpenTransaction: read_committed stops at the first offset of the open transaction until its commit marker', async () => {
    const { partition } = await soleLeader();
    await partition.appendRecordsToLeader(await producerBatch(['plain'], 0, false, 77n), 1);
    await partition.appendRecordsToLeader(await producerBatch(['t1', 't2'], 0, true), 1);
    expect(partition.highWatermark).toBe(3n);
    expect(partition.lastStableOffset).toBe(1n);
    const open = await partition.read(0n, 1 << 20, true, true);
    expect(baseOffsets(open.records)).toEqual([0n]);
    expect(open.abortedTransactions).toEqual([]);
    const uncommitted = await partition.read(0n, 1 << 20, true, false);
    expect(baseOffsets(uncommitted.records)).toEqual([0n, 1n]);
    expect(uncommitted.abortedTransactions).toBeNull();

    const written = await partition.appendTxnMarkerToLeader(marker(true));
    expect(written.firstOffset).toBe(3n);
    expect(partition.lastStableOffset).toBe(4n);
    const committed = await partition.read(0n, 1 << 20, true, true);
    expect(baseOffsets(committed.records)).toEqual([0n, 1n, 3n]);
    expect(committed.abortedTransactions).toEqual([]);
  });

  it('readCommittedWakesOnlyWhenStable: appends inside an open transaction move the high watermark but bring no stable bytes; the marker brings them all', async () => {
    const context = testContext(1);
    const partition = await openPartition(context, partitionState({ replicas: [1] }));
    const plain = await partition.appendRecordsToLeader(await producerBatch(['plain'], 0, false, 77n), 1);
    const first = await partition.appendRecordsToLeader(await producerBatch(['t1'], 0, true), 1);
    const second = await partition.appendRecordsToLeader(await producerBatch(['t2'], 1, true), 1);
    const other = await partition.appendRecordsToLeader(await producerBatch(['after'], 1, false, 77n), 1);
    expect(context.highWatermarkMoves).toEqual([plain.validBytes, first.validBytes, second.validBytes, other.validBytes]);
    expect(context.stableMoves).toEqual([plain.validBytes, 0, 0, 0]);

    const written = await partition.appendTxnMarkerToLeader(marker(true));
    expect(partition.lastStableOffset).toBe(partition.highWatermark);
    expect(context.stableMoves.at(-1)).toBe(first.validBytes + second.validBytes + other.validBytes + written.validBytes);
  });

  it('longOpenTransactionKeepsStableBytesExact: thousands of batches inside one transaction (more than are kept apart) are all counted when its marker lands', async () => {
    const context = testContext(1);
    const partition = await openPartition(context, partitionState({ replicas: [1] }));
    let bytes = 0;
    for (let sequence = 0; sequence < 5000; sequence++) {
      bytes += (await partition.appendRecordsToLeader(await producerBatch(['t'], sequence, true), 1)).validBytes;
    }
    expect(context.stableMoves.every((moved) => moved === 0)).toBe(true);
    const written = await partition.appendTxnMarkerToLeader(marker(false));
    expect(context.stableMoves.at(-1)).toBe(bytes + written.validBytes);
  }, 60_000);

  it('markerIsAControlBatch: the marker carries the producer, the control attribute and the leader epoch', async () => {
    const { partition, appends } = await soleLeader();
    await partition.appendRecordsToLeader(await producerBatch(['t'], 0, true), 1);
    await partition.appendTxnMarkerToLeader(marker(false));
    // Both appends woke the followers' fetches.
    expect(appends).toHaveLength(2);
    const read = await partition.read(1n, 1 << 20, true, false);
    const header = readBatchHeader(read.records)!;
    expect(header).toMatchObject({ baseOffset: 1n, producerId: PRODUCER, producerEpoch: 0, partitionLeaderEpoch: 0 });
    expect(header.attributes & ATTRIBUTE_CONTROL).toBe(ATTRIBUTE_CONTROL);
  });

  it('abortedTransactionsListed: after an abort a read_committed read returns the data with the aborted transaction to drop', async () => {
    const { partition } = await soleLeader();
    await partition.appendRecordsToLeader(await producerBatch(['a'], 0, false, 77n), 1);
    await partition.appendRecordsToLeader(await producerBatch(['x', 'y'], 0, true), 1);
    await partition.appendTxnMarkerToLeader(marker(false));
    expect(partition.lastStableOffset).toBe(partition.highWatermark);
    const read = await partition.read(0n, 1 << 20, true, true);
    expect(baseOffsets(read.records)).toEqual([0n, 1n, 3n]);
    expect(read.abortedTransactions).toEqual([{ producerId: PRODUCER, firstOffset: 1n }]);
    // A read that starts after the aborted transaction's data does not list it.
    const later = await partition.read(4n, 1 << 20, true, true);
    expect(later.records.length).toBe(0);
    expect(later.abortedTransactions).toEqual([]);
  });

  it('unreplicatedMarkerKeepsTransactionUnstable: the last stable offset moves only once the high watermark passes the marker', async () => {
    const context = testContext(1);
    const partition = await openPartition(context, partitionState({ replicas: [1, 2] }));
    await partition.appendRecordsToLeader(await producerBatch(['t'], 0, true), 1);
    await partition.appendTxnMarkerToLeader(marker(true));
    await partition.fetchForFollower(2, 1n, -1, 1 << 20);
    expect(partition.highWatermark).toBe(1n);
    expect(partition.lastStableOffset).toBe(0n);
    await partition.fetchForFollower(2, 2n, -1, 1 << 20);
    expect(partition.highWatermark).toBe(2n);
    expect(partition.lastStableOffset).toBe(2n);
  });

  it('duplicateAnsweredWithOriginalOffsets: a retried idempotent batch writes nothing and answers where the first landed', async () => {
    const { partition, appends } = await soleLeader();
    const first = await partition.appendRecordsToLeader(await producerBatch(['a', 'b'], 0, false), -1);
    await partition.appendRecordsToLeader(await producerBatch(['c'], 2, false), -1);
    const retried = await partition.appendRecordsToLeader(await producerBatch(['a', 'b'], 0, false), -1);
    expect(retried).toMatchObject({ duplicate: true, firstOffset: first.firstOffset, lastOffset: first.lastOffset });
    expect(partition.logEndOffset).toBe(3n);
    expect(appends).toHaveLength(2);
  });

  it('outOfOrderSequenceRefused: a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER and nothing is written', async () => {
    const { partition } = await soleLeader();
    await partition.appendRecordsToLeader(await producerBatch(['a'], 0, false), 1);
    const gap = partition.appendRecordsToLeader(await producerBatch(['c'], 5, false), 1);
    await expect(gap).rejects.toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(partition.logEndOffset).toBe(1n);
  });

  it('markerNeedsMinInsync: with the ISR below min.insync.replicas a marker is NOT_ENOUGH_REPLICAS and nothing is written', async () => {
    const { partition } = await soleLeader({ 'min.insync.replicas': '2' });
    await expect(partition.appendTxnMarkerToLeader(marker(true))).rejects.toMatchObject({ errorCode: ErrorCode.NOT_ENOUGH_REPLICAS });
    expect(partition.logEndOffset).toBe(0n);
  });

  it("followerForgetsCompletedTransactionsAtItsHighWatermark: once the leader's high watermark passes their markers a follower keeps none of them", async () => {
    const { partition: leader } = await soleLeader();
    const transactions = 50;
    for (let i = 0; i < transactions; i++) {
      const producerId = PRODUCER + BigInt(i);
      await leader.appendRecordsToLeader(await producerBatch([`t${i}`], 0, true, producerId), 1);
      await leader.appendTxnMarkerToLeader(marker(i % 2 === 0, producerId));
    }
    const follower = await openPartition(testContext(2), partitionState({ replicas: [1, 2] }));
    const copied = await leader.log.read(0n, { maxBytes: 1 << 24 });
    await follower.appendRecordsAsFollower(copied.records);
    expect(follower.logEndOffset).toBe(BigInt(2 * transactions));
    // Completed but not yet below the follower's high watermark: all held (the log's own bookkeeping, read directly).
    const unreplicated = (follower.log as unknown as { state: { producerState: { unreplicated: Map<bigint, unknown> } } }).state.producerState.unreplicated;
    expect(unreplicated.size).toBe(transactions);
    follower.updateFollowerHighWatermark(BigInt(transactions));
    expect(unreplicated.size).toBe(transactions / 2);
    follower.updateFollowerHighWatermark(leader.highWatermark);
    expect(unreplicated.size).toBe(0);
    expect(follower.lastStableOffset).toBe(BigInt(2 * transactions));
  });

  it('markerOnFollowerRefused: a replica that does not lead answers NOT_LEADER_OR_FOLLOWER', async () => {
    const context = testContext(2);
    const partition = await openPartition(context, partitionState({ replicas: [1, 2] }));
    await expect(partition.appendTxnMarkerToLeader(marker(true))).rejects.toMatchObject({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER });
  });
});
