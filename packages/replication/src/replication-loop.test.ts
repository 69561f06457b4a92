import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@kstream/protocol';
import { batch } from './partition.test-support.js';
import { logBytes, ReplicationCluster } from './replication-cluster.test-support.js';

async function produce(cluster: ReplicationCluster, acks: number, ...values: string[]) {
  const leader = cluster.leader().partition;
  const info = await leader.appendRecordsToLeader(await batch(...values), acks);
  return { info, replicated: acks === -1 ? leader.waitForReplication(info.lastOffset + 1n, 5_000) : undefined };
}

async function identical(cluster: ReplicationCluster, ids: number[]): Promise<void> {
  const [first, ...rest] = await Promise.all(ids.map((id) => logBytes(cluster.broker(id).partition.log)));
  for (const bytes of rest) expect(bytes.equals(first!)).toBe(true);
}

describe('replication over broker channels', () => {
  it('acksAllAcknowledgedOnceOnEveryReplicaByteIdentical', async () => {
    const cluster = await ReplicationCluster.start(3);
    const { info, replicated } = await produce(cluster, -1, 'a', 'b', 'c');
    expect(await replicated).toEqual({ errorCode: ErrorCode.NONE, message: null });
    for (const id of [2, 3]) expect(cluster.broker(id).partition.logEndOffset).toBeGreaterThan(info.lastOffset);
    await identical(cluster, [1, 2, 3]);
    expect(cluster.broker(1).partition.highWatermark).toBe(3n);
    // Followers learn the high watermark on their next fetch.
    await cluster.until('followers high watermark', () => [2, 3].every((id) => cluster.broker(id).partition.highWatermark === 3n));
  });

  it('largeBatchCrossesTransferred', async () => {
    const cluster = await ReplicationCluster.start(2);
    const big = 'x'.repeat(64 * 1024);
    const { replicated } = await produce(cluster, -1, big, big);
    expect((await replicated)?.errorCode).toBe(ErrorCode.NONE);
    await identical(cluster, [1, 2]);
  });

  it('parkedFollowerWokenByAppend', async () => {
    const cluster = await ReplicationCluster.start(2, { maxWaitMs: 10_000 });
    await cluster.until('follower parked', () => cluster.broker(1).purgatory.watching('orders-0') === 1);
    const started = Date.now();
    const { replicated } = await produce(cluster, -1, 'a');
    expect((await replicated)?.errorCode).toBe(ErrorCode.NONE);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('laggingFollowerLeavesIsrAndRejoins', async () => {
    // A lag limit a loaded machine's stall never reaches: broker 2, which keeps fetching, must stay in the ISR for the acks=-1 produce.
    const cluster = await ReplicationCluster.start(3, { replicaLagTimeMaxMs: 1_000, configs: { 'min.insync.replicas': 2 } });
    cluster.isolate(3);
    await produce(cluster, 1, 'a');
    const leader = cluster.broker(1).partition;
    const shrink = setInterval(() => leader.maybeShrinkIsr(), 20);
    try {
      await cluster.until('ISR without 3', () => cluster.state.isr.join() === '1,2' && leader.state.isr.join() === '1,2');
      const { replicated } = await produce(cluster, -1, 'b');
      expect((await replicated)?.errorCode).toBe(ErrorCode.NONE);
      cluster.heal(3);
      await cluster.until('ISR with 3 again', () => leader.state.isr.includes(3));
      await identical(cluster, [1, 2, 3]);
    } finally {
      clearInterval(shrink);
    }
  });

  it('notEnoughReplicasWhenIsrBelowMinInsync', async () => {
    const cluster = await ReplicationCluster.start(3, { configs: { 'min.insync.replicas': 2 } }, [1]);
    await expect(produce(cluster, -1, 'a')).rejects.toMatchObject({ errorCode: ErrorCode.NOT_ENOUGH_REPLICAS });
    await produce(cluster, 1, 'a');
    // The followers catch up and the leader asks for them back; then acks=-1 is served.
    await cluster.until('ISR expanded', () => cluster.leader().partition.state.isr.length >= 2);
    const { replicated } = await produce(cluster, -1, 'b');
    expect((await replicated)?.errorCode).toBe(ErrorCode.NONE);
  });
});
