import { describe, expect, it } from 'vitest';
import { TransferringReply } from '@kstream/actor';
import { ErrorCode } from '@kstream/protocol';
import { DelayedFetchPurgatory } from './delayed-fetch.js';
import type { ReplicaFetchReply, ReplicaFetchRequest } from './messages.js';
import { batch, oneLeaderPartition, openPartition, partitionState, testContext } from './partition.test-support.js';
import { replicaLeaderServer } from './replica-leader-server.js';
import type { Partition } from './partition.js';

function fetchRequest(maxWaitMs = 0, fetchOffset = 0n): ReplicaFetchRequest {
  return {
    type: 'ReplicaFetch',
    replicaId: 2,
    maxWaitMs,
    maxBytes: 1 << 20,
    partitionMaxBytes: 1 << 20,
    // Each opens a new session, so each reply carries the partition.
    sessionId: 0,
    sessionEpoch: 0,
    partitions: [{ topic: 'orders', partition: 0, fetchOffset, currentLeaderEpoch: 0, lastFetchedEpoch: -1 }],
    forgotten: [],
  };
}

async function leaderServer() {
  const purgatory = new DelayedFetchPurgatory();
  const context = { ...testContext(1), onLeaderAppend: (p: Partition, bytes: number) => purgatory.dataArrived(p.name, bytes) };
  const partition = await openPartition(context, partitionState({ replicas: [1, 2] }));
  const server = replicaLeaderServer({
    purgatory,
    partitions: oneLeaderPartition(() => partition),
  });
  return { partition, server };
}

describe('replicaLeaderServer', () => {
  it('ownedRecordBytesTransferredPooledOnesCopied', async () => {
    const { partition, server } = await leaderServer();
    await partition.appendRecordsToLeader(await batch('small'), 1);
    const small = await server(fetchRequest(), 2);
    expect(small).not.toBeInstanceOf(TransferringReply);
    await partition.appendRecordsToLeader(await batch('x'.repeat(64 * 1024)), 1);
    const large = await server(fetchRequest(0, 1n), 2);
    expect(large).toBeInstanceOf(TransferringReply);
    const { value, transfer } = large as TransferringReply<ReplicaFetchReply>;
    expect(transfer).toEqual([value.partitions[0]!.records.buffer]);
  });

  it('readLargerThanItsBatchesStillTransferred: a read that keeps fewer bytes than it read moves its whole ArrayBuffer, not a copy', async () => {
    const { partition, server } = await leaderServer();
    // Two 40 KiB batches, a partitionMaxBytes that holds only the first: the read's buffer is larger than what it keeps.
    await partition.appendRecordsToLeader(await batch('y'.repeat(40 * 1024)), 1);
    await partition.appendRecordsToLeader(await batch('z'.repeat(40 * 1024)), 1);
    const reply = await server({ ...fetchRequest(), partitionMaxBytes: 60 * 1024 }, 2);
    expect(reply).toBeInstanceOf(TransferringReply);
    const { value, transfer } = reply as TransferringReply<ReplicaFetchReply>;
    const records = value.partitions[0]!.records;
    expect(records.byteLength).toBeLessThan(records.buffer.byteLength);
    expect(transfer).toEqual([records.buffer]);
  });

  it('parkedUntilAppend', async () => {
    const { partition, server } = await leaderServer();
    const started = Date.now();
    const reply = server(fetchRequest(10_000), 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await partition.appendRecordsToLeader(await batch('a'), 1);
    const { partitions } = (await reply) as ReplicaFetchReply;
    expect(partitions[0]!.records.byteLength).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('fencedEpochAnsweredPerPartition', async () => {
    const { partition, server } = await leaderServer();
    await partition.applyState(partitionState({ replicas: [1, 2], leaderEpoch: 1, partitionEpoch: 1 }));
    const { partitions } = (await server(fetchRequest(), 2)) as ReplicaFetchReply;
    expect(partitions[0]).toMatchObject({ errorCode: ErrorCode.FENCED_LEADER_EPOCH, highWatermark: -1n });
  });
});
