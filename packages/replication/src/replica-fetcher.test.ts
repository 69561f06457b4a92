import { describe, expect, it } from 'vitest';
import { logConfig, PartitionLog } from '@kstream/log-storage';
import type { ReplicaPeers, ReplicaRequest } from './messages.js';
import { Partition } from './partition.js';
import { partitionConfigFrom } from './partition-config.js';
import { openPartition, partitionState, recordingLogger, tempDir, testContext } from './partition.test-support.js';
import { ReplicaFetcher } from './replica-fetcher.js';

/** Peers whose asks are recorded and fail at their timeout (a lost request), or at once with `failFast`. */
function lostPeers(failFast = false) {
  const asks: { msg: ReplicaRequest; timeoutMs: number; at: number }[] = [];
  const peers: ReplicaPeers = {
    ask: (_brokerId, msg, { timeoutMs }) => {
      asks.push({ msg, timeoutMs, at: Date.now() });
      return new Promise((_resolve, reject) => setTimeout(() => reject(new Error('no answer')), failFast ? 0 : timeoutMs));
    },
  };
  return { asks, peers };
}

/** A fetcher from broker 2 to broker 1 over `peers`, asks waiting up to 500 ms, backing off `backoffMs` after a failed one. */
function lostAsksFetcher(peers: ConstructorParameters<typeof ReplicaFetcher>[1]['peers'], backoffMs: number): ReplicaFetcher {
  return new ReplicaFetcher(1, {
    brokerId: 2,
    peers,
    maxWaitMs: 500,
    partitionMaxBytes: 1 << 20,
    maxBytes: 1 << 20,
    backoffMs,
    requestTimeoutMs: 1_000,
    logger: recordingLogger(),
  });
}

describe('ReplicaFetcher', () => {
  it('lostRequestTimesOutAfterLongPollPlusSocketTimeout', async () => {
    const follower = await openPartition(testContext(2), partitionState({ replicas: [1, 2], leader: 1 }));
    const { asks, peers } = lostPeers();
    const logger = recordingLogger();
    const fetcher = new ReplicaFetcher(1, { brokerId: 2, peers, maxWaitMs: 30, partitionMaxBytes: 1 << 20, maxBytes: 1 << 20, backoffMs: 40, requestTimeoutMs: 20, logger });
    fetcher.addPartition(follower, 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await fetcher.close();
    // The follower's empty log has no epoch: it truncates to its high watermark and fetches, each ask lost after 30 + 20 ms, then 40 ms of backoff.
    expect(asks[0]!.msg.type).toBe('ReplicaFetch');
    expect(asks[0]!.timeoutMs).toBe(50);
    expect(asks.length).toBeGreaterThanOrEqual(2);
    expect(asks[1]!.at - asks[0]!.at).toBeGreaterThanOrEqual(85);
    expect(logger.lines.some((l) => l.startsWith('WARN') && l.includes('backing off 40 ms'))).toBe(true);
  });

  it('failingAskNeverSpins', async () => {
    const follower = await openPartition(testContext(2), partitionState({ replicas: [1, 2], leader: 1 }));
    const { asks, peers } = lostPeers(true);
    const fetcher = lostAsksFetcher(peers, 100);
    fetcher.addPartition(follower, 0);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await fetcher.close();
    expect(asks.length).toBeGreaterThanOrEqual(2);
    expect(asks.length).toBeLessThanOrEqual(4);
  });

  it('addingKeepsOthersBackoff: a partition added to the fetcher is asked for at once, while one backing off after a failed ask stays backed off', async () => {
    const context = testContext(2);
    const orders = await openPartition(context, partitionState({ replicas: [1, 2], leader: 1 }));
    const paymentsLog = await PartitionLog.open({ logDir: tempDir(), topic: 'payments', partition: 0, config: logConfig() });
    const payments = new Partition(context, paymentsLog, partitionState({ replicas: [1, 2], leader: 1 }), partitionConfigFrom({}), 0n);
    await payments.applyState(payments.state);
    const { asks, peers } = lostPeers(true);
    const fetcher = lostAsksFetcher(peers, 60_000);
    try {
      fetcher.addPartition(orders, 0);
      await expect.poll(() => asks.length).toBe(1);
      // The ask failed: orders-0 waits out its backoff of a minute.
      await new Promise((resolve) => setTimeout(resolve, 20));
      fetcher.addPartition(payments, 0);
      await expect.poll(() => asks.length).toBe(2);
      const asked = (ask: { msg: ReplicaRequest }) => (ask.msg.type === 'ReplicaFetch' ? ask.msg.partitions.map((p) => `${p.topic}-${p.partition}`) : []);
      expect(asks.map(asked)).toEqual([['orders-0'], ['payments-0']]);
    } finally {
      await fetcher.close();
      await paymentsLog.close();
    }
  });
});
