import { describe, expect, it } from 'vitest';
import { logConfig, PartitionLog } from '@kstream/log-storage';
import { type DelayedFetch, DelayedFetchPurgatory } from './delayed-fetch.js';
import type { ReplicaFetchPartition, ReplicaFetchReply, ReplicaFetchRequest } from './messages.js';
import { Partition, partitionKey } from './partition.js';
import { partitionConfigFrom } from './partition-config.js';
import { batch, partitionState, TOPIC, tempDir, testContext } from './partition.test-support.js';
import { replicaLeaderServer } from './replica-leader-server.js';

// A follower's parked fetch reads again, when its wait ends, only the
// partitions that had news before the wait and those that had news during
// it (an append, a change, a high watermark move): an idle session is read
// once a wait, and what the follower must be told still reaches it.

const PARTITIONS = 3;
const MAX_WAIT_MS = 40;

/** A leader (broker 1) of orders-0..2, replicas 1, 2 and 3, counting each partition's reads. */
async function leaderServer() {
  const purgatory = new DelayedFetchPurgatory();
  const context = {
    ...testContext(1),
    onLeaderAppend: (p: Partition, bytes: number) => purgatory.dataArrived(p.name, bytes),
    onHighWatermarkMoved: (p: Partition) => purgatory.offsetsMoved(p.name),
  };
  const state = partitionState({ replicas: [1, 2, 3] });
  const partitions: Partition[] = [];
  const dir = tempDir();
  for (let i = 0; i < PARTITIONS; i++) {
    const log = await PartitionLog.open({ logDir: dir, topic: TOPIC, partition: i, config: logConfig() });
    const partition = new Partition(context, log, state, partitionConfigFrom({}), 0n);
    await partition.applyState(state);
    partitions.push(partition);
  }
  const reads = new Map<string, number>();
  const byKey = new Map(partitions.map((p) => [p.name, p]));
  const leader = (key: string, epoch: number): Partition => {
    reads.set(key, (reads.get(key) ?? 0) + 1);
    const partition = byKey.get(key)!;
    partition.checkLeader(epoch);
    return partition;
  };
  const server = replicaLeaderServer({
    purgatory,
    partitions: {
      leaderPartition: async (topic, partition, epoch) => leader(partitionKey(topic, partition), epoch),
      leaderPartitionNow: (key, _topic, _partition, epoch) => leader(key, epoch),
    },
  });
  const readsOf = () => partitions.map((p) => reads.get(p.name) ?? 0);
  return { partitions, server, readsOf, close: () => Promise.all(partitions.map((p) => p.log.close())) };
}

/** A follower's session on the leader: each fetch names the partitions whose fetch offset changed. */
function follower(replicaId: number, server: Awaited<ReturnType<typeof leaderServer>>['server']) {
  let sessionId = 0;
  let sessionEpoch = 0;
  return async (maxWaitMs: number, changed: readonly ReplicaFetchPartition[]): Promise<ReplicaFetchReply> => {
    const request: ReplicaFetchRequest = {
      type: 'ReplicaFetch',
      replicaId,
      maxWaitMs,
      maxBytes: 1 << 20,
      partitionMaxBytes: 1 << 20,
      sessionId,
      sessionEpoch,
      partitions: changed,
      forgotten: [],
    };
    const reply = (await server(request, replicaId)) as ReplicaFetchReply;
    expect(reply.errorCode).toBe(0);
    sessionId = reply.sessionId;
    sessionEpoch++;
    return reply;
  };
}

const at = (partition: number, fetchOffset: bigint): ReplicaFetchPartition => ({ topic: TOPIC, partition, fetchOffset, currentLeaderEpoch: 0, lastFetchedEpoch: -1 });
const allAt = (fetchOffset: bigint) => Array.from({ length: PARTITIONS }, (_, i) => at(i, fetchOffset));

describe('A parked follower fetch', () => {
  it('quietWaitReadsTheSessionOnce: an idle session is read before the wait and not again after it', async () => {
    const { server, readsOf, close } = await leaderServer();
    const fetch = follower(2, server);
    // The first fetch tells the follower every partition's offsets.
    expect((await fetch(0, allAt(0n))).partitions).toHaveLength(PARTITIONS);
    const before = readsOf();
    const started = Date.now();
    const reply = await fetch(MAX_WAIT_MS, []);
    expect(Date.now() - started).toBeGreaterThanOrEqual(MAX_WAIT_MS - 5);
    expect(reply.partitions).toEqual([]);
    expect(readsOf().map((n, i) => n - before[i]!)).toEqual([1, 1, 1]);
    await close();
  });

  it('aHighWatermarkMovedDuringTheWaitIsCarried: only the moved partition is read again, and the reply tells its new high watermark', async () => {
    const { partitions, server, readsOf, close } = await leaderServer();
    await partitions[1]!.appendRecordsToLeader(await batch('a', 'b'), -1);
    const fetch2 = follower(2, server);
    const fetch3 = follower(3, server);
    expect((await fetch2(0, allAt(0n))).partitions).toHaveLength(PARTITIONS);
    // Follower 2 has the records; follower 3's position is not known yet, so the high watermark stays at 0.
    await fetch2(0, [at(1, 2n)]);
    expect(partitions[1]!.highWatermark).toBe(0n);
    const before = readsOf();
    const parked = fetch2(500, []);
    // Follower 3 catches up while follower 2's fetch waits: the high watermark moves, no bytes arrive for follower 2.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await fetch3(0, [at(0, 0n), at(1, 2n), at(2, 0n)]);
    expect(partitions[1]!.highWatermark).toBe(2n);
    const reply = await parked;
    expect(reply.partitions).toMatchObject([{ partition: 1, highWatermark: 2n, logEndOffset: 2n }]);
    // Follower 2's fetch read each partition once before the wait, and orders-1 again after it; follower 3's read each once.
    expect(readsOf().map((n, i) => n - before[i]!)).toEqual([2, 3, 2]);
    await close();
  });

  it('anAppendEndsTheWait: the reply has the records, and only the appended partition is read again', async () => {
    const { partitions, server, readsOf, close } = await leaderServer();
    const fetch = follower(2, server);
    await fetch(0, allAt(0n));
    const before = readsOf();
    const parked = fetch(5_000, []);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await partitions[2]!.appendRecordsToLeader(await batch('c'), -1);
    const reply = await parked;
    expect(reply.partitions).toHaveLength(1);
    expect(reply.partitions[0]).toMatchObject({ partition: 2, logEndOffset: 1n });
    expect(reply.partitions[0]!.records.byteLength).toBeGreaterThan(0);
    expect(readsOf().map((n, i) => n - before[i]!)).toEqual([1, 1, 2]);
    await close();
  });
});

describe('DelayedFetch', () => {
  it('changedNotesThePartitionsWithNews: appends, changes and high watermark moves, each noted; only a completion from outside leaves it unknown', async () => {
    const purgatory = new DelayedFetchPurgatory();
    const byTimer = purgatory.watch(['a-0', 'a-1'], { notingChanges: true });
    purgatory.offsetsMoved('a-1');
    purgatory.offsetsMoved('b-0');
    await byTimer.wait(1, 10);
    expect(byTimer.done).toBe(true);
    expect([...byTimer.changed!]).toEqual(['a-1']);

    const byBytes = purgatory.watch(['a-0', 'a-1'], { notingChanges: true });
    const waited = byBytes.wait(1, 10_000);
    purgatory.dataArrived('a-0', 5);
    await waited;
    expect([...byBytes.changed!]).toEqual(['a-0']);

    const byChange: DelayedFetch = purgatory.watch(['a-0', 'a-1'], { notingChanges: true });
    const changed = byChange.wait(1, 10_000);
    purgatory.partitionChanged('a-1');
    await changed;
    expect([...byChange.changed!]).toEqual(['a-1']);
    expect(purgatory.watching('a-1')).toBe(0);

    const untouched = purgatory.watch(['a-0'], { notingChanges: true });
    await untouched.wait(1, 10);
    expect(untouched.changed?.size).toBe(0);

    const shutDown = purgatory.watch(['a-0'], { notingChanges: true });
    const stopped = shutDown.wait(1, 10_000);
    purgatory.completeAll();
    await stopped;
    expect(shutDown.changed).toBeUndefined();

    // A consumer's fetch reads everything again anyway: it notes nothing, not even a Set.
    const consumer = purgatory.watch(['a-0']);
    const consumed = consumer.wait(1, 10_000);
    purgatory.dataArrived('a-0', 5);
    await consumed;
    expect(consumer.changed).toBeUndefined();
  });
});
