import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TransferringReply } from '@kstream/actor';
import { logConfig, PartitionLog } from '@kstream/log-storage';
import { ErrorCode } from '@kstream/protocol';
import { DelayedFetchPurgatory } from './delayed-fetch.js';
import type { ReplicaFetchReply, ReplicaFetchRequest, ReplicaPeers, ReplicaRequest } from './messages.js';
import { Partition } from './partition.js';
import { partitionConfigFrom } from './partition-config.js';
import { batch, oneLeaderPartition, openPartition, partitionState, recordingLogger, tempDir, testContext } from './partition.test-support.js';
import { ReplicaFetcher } from './replica-fetcher.js';
import { replicaLeaderServer, type ReplicaRequestServer } from './replica-leader-server.js';

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

/** A fetcher from broker 2 to broker 1 over `peers`, asks long-polled up to `maxWaitMs`, backing off `backoffMs` after a failed one. */
function fetcherOver(peers: ReplicaPeers, { maxWaitMs = 500, backoffMs = 1_000 } = {}): ReplicaFetcher {
  return new ReplicaFetcher(1, {
    brokerId: 2,
    peers,
    maxWaitMs,
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
    // The follower's empty log has no epoch: it truncates to its high watermark and fetches, each ask lost after 30 + 20 ms, then 40 ms of backoff.
    await expect.poll(() => asks.length).toBeGreaterThanOrEqual(2);
    await fetcher.close();
    expect(asks[0]!.msg.type).toBe('ReplicaFetch');
    expect(asks[0]!.timeoutMs).toBe(50);
    expect(asks[1]!.at - asks[0]!.at).toBeGreaterThanOrEqual(85);
    expect(logger.lines.some((l) => l.startsWith('WARN') && l.includes('backing off 40 ms'))).toBe(true);
  });

  it('failingAskNeverSpins', async () => {
    const follower = await openPartition(testContext(2), partitionState({ replicas: [1, 2], leader: 1 }));
    const { asks, peers } = lostPeers(true);
    const fetcher = fetcherOver(peers, { backoffMs: 100 });
    fetcher.addPartition(follower, 0);
    await expect.poll(() => asks.length).toBeGreaterThanOrEqual(3);
    await fetcher.close();
    // Each ask failed at once, and the next waited out the backoff: however late the timers ran, never sooner.
    for (let i = 1; i < asks.length; i++) expect(asks[i]!.at - asks[i - 1]!.at).toBeGreaterThanOrEqual(95);
  });

  it('addingKeepsOthersBackoff: a partition added to the fetcher is asked for at once, while one backing off after a failed ask stays backed off', async () => {
    const context = testContext(2);
    const orders = await openPartition(context, partitionState({ replicas: [1, 2], leader: 1 }));
    const paymentsLog = await PartitionLog.open({ logDir: tempDir(), topic: 'payments', partition: 0, config: logConfig() });
    const payments = new Partition(context, paymentsLog, partitionState({ replicas: [1, 2], leader: 1 }), partitionConfigFrom({}), 0n);
    await payments.applyState(payments.state);
    const { asks, peers } = lostPeers(true);
    const fetcher = fetcherOver(peers, { backoffMs: 60_000 });
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

  it('fetchesInASession: an idle fetch names no partition and is answered with none; a leader that lost the session is fetched from in a new one', async () => {
    const purgatory = new DelayedFetchPurgatory();
    const leaderContext = { ...testContext(1), onLeaderAppend: (p: Partition, bytes: number) => purgatory.dataArrived(p.name, bytes) };
    const leader = await openPartition(leaderContext, partitionState({ replicas: [1, 2] }));
    const follower = await openPartition(testContext(2), partitionState({ replicas: [1, 2], leader: 1 }));
    const leaderServer = (): ReplicaRequestServer =>
      replicaLeaderServer({
        purgatory,
        partitions: oneLeaderPartition(() => leader),
      });
    let server = leaderServer();
    const fetches: { request: ReplicaFetchRequest; reply: ReplicaFetchReply }[] = [];
    const peers: ReplicaPeers = {
      ask: async (_brokerId, msg) => {
        const answer = await server(msg, 2);
        const reply = answer instanceof TransferringReply ? answer.value : answer;
        if (msg.type === 'ReplicaFetch') fetches.push({ request: msg, reply: reply as ReplicaFetchReply });
        return reply as never;
      },
    };
    const fetcher = fetcherOver(peers, { maxWaitMs: 40 });
    try {
      fetcher.addPartition(follower, 0);
      await leader.appendRecordsToLeader(await batch('a', 'b'), 1);
      await expect.poll(() => [follower.logEndOffset, follower.highWatermark, leader.highWatermark]).toEqual([2n, 2n, 2n]);
      expect(fetches[0]!.request).toMatchObject({ sessionId: 0, sessionEpoch: 0 });
      const sessionId = fetches[0]!.reply.sessionId;
      expect(sessionId).toBeGreaterThan(0);

      // Idle: long polls in the session that name nothing and carry nothing.
      const idleFrom = fetches.length;
      await sleep(200);
      const idle = fetches.slice(idleFrom);
      expect(idle.length).toBeGreaterThanOrEqual(2);
      for (const { request, reply } of idle) {
        expect(request).toMatchObject({ sessionId, partitions: [], forgotten: [] });
        expect(reply).toEqual({ errorCode: ErrorCode.NONE, sessionId, partitions: [] });
      }

      // Appended to while the fetch names nothing: the session's read finds it.
      await leader.appendRecordsToLeader(await batch('c'), 1);
      await expect.poll(() => [follower.logEndOffset, follower.highWatermark]).toEqual([3n, 3n]);

      // The leader restarts: its sessions are gone, the follower opens another and goes on.
      server = leaderServer();
      const refused = () => fetches.findIndex((f) => f.reply.errorCode === ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
      await expect.poll(refused).toBeGreaterThan(0);
      await leader.appendRecordsToLeader(await batch('d'), 1);
      await expect.poll(() => [follower.logEndOffset, follower.highWatermark]).toEqual([4n, 4n]);
      expect(fetches[refused() + 1]!.request).toMatchObject({ sessionId: 0, sessionEpoch: 0 });
      expect(fetches[refused() + 1]!.request.partitions.map((p) => p.fetchOffset)).toEqual([3n]);
    } finally {
      await fetcher.close();
    }
  });

  it('aResultTheFollowerHadToSkipOpensANewSession: its log moved by another path while the fetch was out, so the leader session took news it never applied', async () => {
    const follower = await openPartition(testContext(2), partitionState({ replicas: [1, 2], leader: 1 }));
    const requests: ReplicaFetchRequest[] = [];
    const peers: ReplicaPeers = {
      ask: async (_brokerId, msg) => {
        if (msg.type !== 'ReplicaFetch') throw new Error(`unexpected ${msg.type}`);
        requests.push(msg);
        const partitions = [];
        if (requests.length === 2) {
          // While the second fetch is out, the follower's log moves; the reply tells of a high watermark it would skip.
          await follower.appendRecordsAsFollower(await batch('a'));
          partitions.push({
            topic: 'orders',
            partition: 0,
            errorCode: ErrorCode.NONE,
            highWatermark: 1n,
            logStartOffset: 0n,
            logEndOffset: 1n,
            divergingEpoch: null,
            records: new Uint8Array(0),
          });
        }
        if (requests.length > 3) await sleep(50);
        return { errorCode: ErrorCode.NONE, sessionId: 7, partitions } as never;
      },
    };
    const fetcher = fetcherOver(peers, { maxWaitMs: 40 });
    try {
      fetcher.addPartition(follower, 0);
      await expect.poll(() => requests.length).toBeGreaterThanOrEqual(3);
      expect(requests.slice(0, 3).map((r) => [r.sessionId, r.sessionEpoch, r.partitions.map((p) => p.fetchOffset)])).toEqual([
        [0, 0, [0n]],
        [7, 1, []],
        // Opened again, the partition at its new log end: the leader tells everything anew.
        [0, 0, [1n]],
      ]);
    } finally {
      await fetcher.close();
    }
  });
});
