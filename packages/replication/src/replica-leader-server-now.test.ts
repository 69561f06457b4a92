import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@kstream/protocol';
import { DelayedFetchPurgatory } from './delayed-fetch.js';
import type { ReplicaFetchReply, ReplicaFetchRequest } from './messages.js';
import { batch, openPartition, partitionState, testContext } from './partition.test-support.js';
import { partitionKey, type Partition } from './partition.js';
import { replicaLeaderServer } from './replica-leader-server.js';

// A follower's session names thousands of partitions, nearly all idle, and
// the leader reads each on every fetch. Each is found in the same turn
// (LeaderPartitions.leaderPartitionNow); those that need no log read are
// answered there (Partition.fetchForFollowerNow), with the same answer and
// the same effect on the follower's position as a read; only a partition
// whose hosting change is in flight waits for leaderPartition.

const KEY = partitionKey('orders', 0);

function fetchRequest(fetchOffset: bigint, currentLeaderEpoch = 0): ReplicaFetchRequest {
  return {
    type: 'ReplicaFetch',
    replicaId: 2,
    maxWaitMs: 0,
    maxBytes: 1 << 20,
    partitionMaxBytes: 1 << 20,
    sessionId: 0,
    sessionEpoch: 0,
    partitions: [{ topic: 'orders', partition: 0, fetchOffset, currentLeaderEpoch, lastFetchedEpoch: -1 }],
    forgotten: [],
  };
}

/** A leader of orders-0 for follower 2, counting the lookups that took leaderPartition's turn; `pending` holds a hosting change in flight. */
async function leaderServer() {
  const partition = await openPartition(testContext(1), partitionState({ replicas: [1, 2] }));
  const counts = { waited: 0 };
  const pending = new Set<string>();
  let release: () => void = () => {};
  const server = replicaLeaderServer({
    purgatory: new DelayedFetchPurgatory(),
    partitions: {
      leaderPartition: async (_t, _p, epoch) => {
        counts.waited++;
        if (pending.size > 0) await new Promise<void>((resolve) => (release = resolve));
        partition.checkLeader(epoch);
        return partition;
      },
      leaderPartitionNow: (key, _t, _p, epoch): Partition | undefined => {
        if (pending.has(key)) return undefined;
        partition.checkLeader(epoch);
        return partition;
      },
    },
  });
  return { partition, server, counts, pending, release: () => release() };
}

describe('Idle partitions answered in the same turn', () => {
  it('aFollowerAtTheLogEndMovesTheHighWatermark: the fetch that records its position is answered without a wait', async () => {
    const { partition, server, counts } = await leaderServer();
    expect((await partition.appendRecordsToLeader(await batch('a', 'b'), -1)).firstOffset).toBe(0n);
    const caughtUp = (await server(fetchRequest(0n), 2)) as ReplicaFetchReply;
    // Records to read: read from the partition found in the same turn, not looked up again in leaderPartition's.
    expect(caughtUp.partitions[0]!.records.byteLength).toBeGreaterThan(0);
    expect(counts.waited).toBe(0);
    expect(partition.highWatermark).toBe(0n);

    const atEnd = (await server(fetchRequest(2n), 2)) as ReplicaFetchReply;
    expect(counts.waited).toBe(0);
    expect(partition.highWatermark).toBe(2n);
    expect(atEnd.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 2n, logEndOffset: 2n, logStartOffset: 0n, divergingEpoch: null });
    expect(atEnd.partitions[0]!.records.byteLength).toBe(0);
  });

  it('anIdlePartitionIsLeftOutUntilItsOffsetsMove: in a session, a follower at the log end is told a moved high watermark or log start offset once, and nothing otherwise', async () => {
    const { partition, server } = await leaderServer();
    await partition.appendRecordsToLeader(await batch('a', 'b'), -1);
    const opened = (await server(fetchRequest(0n), 2)) as ReplicaFetchReply;
    let epoch = 1;
    const inSession = async (fetchOffset?: bigint) => {
      const partitions = fetchOffset === undefined ? [] : [{ topic: 'orders', partition: 0, fetchOffset, currentLeaderEpoch: 0, lastFetchedEpoch: 0 }];
      const reply = (await server({ ...fetchRequest(0n), sessionId: opened.sessionId, sessionEpoch: epoch++, partitions }, 2)) as ReplicaFetchReply;
      expect(reply.errorCode).toBe(ErrorCode.NONE);
      return reply.partitions.map((p) => ({ highWatermark: p.highWatermark, logStartOffset: p.logStartOffset }));
    };
    expect(await inSession(2n)).toEqual([{ highWatermark: 2n, logStartOffset: 0n }]);
    expect(await inSession()).toEqual([]);
    await partition.deleteRecordsOnLeader(1n);
    expect(await inSession()).toEqual([{ highWatermark: 2n, logStartOffset: 1n }]);
    expect(await inSession()).toEqual([]);
  });

  it('aFencedEpochIsAnsweredInTheSameTurn: the partition error, as the waiting read gives it', async () => {
    const { partition, server, counts } = await leaderServer();
    await partition.applyState(partitionState({ replicas: [1, 2], leaderEpoch: 1, partitionEpoch: 1 }));
    const { partitions } = (await server(fetchRequest(0n), 2)) as ReplicaFetchReply;
    expect(partitions[0]).toMatchObject({ errorCode: ErrorCode.FENCED_LEADER_EPOCH, highWatermark: -1n });
    expect(counts.waited).toBe(0);
  });

  it('aHostingChangeInFlightIsWaitedFor: the partition is read once the change is done', async () => {
    const { server, counts, pending, release } = await leaderServer();
    pending.add(KEY);
    const reply = server(fetchRequest(0n), 2);
    await expect.poll(() => counts.waited).toBe(1);
    pending.delete(KEY);
    release();
    expect(((await reply) as ReplicaFetchReply).partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, logEndOffset: 0n });
  });
});
