import { describe, expect, it } from 'vitest';
import type { ReplicaPeers, ReplicaRequest } from './messages.js';
import { openPartition, partitionState, recordingLogger, testContext } from './partition.test-support.js';
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
    const fetcher = new ReplicaFetcher(1, {
      brokerId: 2,
      peers,
      maxWaitMs: 500,
      partitionMaxBytes: 1 << 20,
      maxBytes: 1 << 20,
      backoffMs: 100,
      requestTimeoutMs: 1_000,
      logger: recordingLogger(),
    });
    fetcher.addPartition(follower, 0);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await fetcher.close();
    expect(asks.length).toBeGreaterThanOrEqual(2);
    expect(asks.length).toBeLessThanOrEqual(4);
  });
});
