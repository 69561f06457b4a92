// kafkajs producers (acks=-1) across failover on a real 3-broker node (RF 3,
// min.insync.replicas=2). Consumers are raw Fetch loops, one per partition
// (the checker's): kafkajs consumers need consumer groups, which issue 11
// brings. A leader's crash: every acknowledged record is consumed at its
// offset, in order, none lost. A leader's clean stop (controlled shutdown):
// its leaderships move first, and every send() resolves.
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/cluster.test-support.js';
import { startFetchConsumers } from './checker/fetch-consumer.test-support.js';
import { HistoryRecorder } from './checker/history.test-support.js';
import { ConnectionPool, LeaderDirectory } from './checker/raw-cluster.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { FAST_FAILOVER, partitionViews, readFromLeader, REPLICATED, waitForPartition } from './failover.test-support.js';

const PARTITIONS = 3;
const ASSIGNMENT = [
  { partition: 0, replicas: [1, 2, 3] },
  { partition: 1, replicas: [2, 3, 1] },
  { partition: 2, replicas: [3, 1, 2] },
];

interface Acknowledged {
  readonly partition: number;
  readonly value: string;
  readonly offset: bigint;
  readonly at: number;
}

/** One kafkajs send (one record, acks=-1) at a time per partition until stopped; what was acknowledged and every error thrown. */
function sendUntilStopped(producer: Producer, topic: string) {
  const acknowledged: Acknowledged[] = [];
  const errors: string[] = [];
  let stopped = false;
  const lanes = Array.from({ length: PARTITIONS }, async (_, partition) => {
    for (let n = 0; !stopped; n++) {
      const value = `p${partition}-${n}`;
      try {
        const [answer] = await producer.send({ topic, acks: -1, timeout: 5_000, messages: [{ value, partition }] });
        acknowledged.push({ partition, value, offset: BigInt(answer!.baseOffset!), at: Date.now() });
      } catch (error) {
        errors.push(`${value}: ${(error as Error).name}: ${(error as Error).message}`);
      }
    }
  });
  return {
    acknowledged,
    errors,
    ackedSince: (partition: number, since: number) => acknowledged.filter((a) => a.partition === partition && a.at > since).length,
    async stop(): Promise<void> {
      stopped = true;
      await Promise.all(lanes);
    },
  };
}

describe('kafkajs across failover', () => {
  let node: CompatCluster;

  beforeAll(async () => {
    node = await CompatCluster.start('kafkajs-failover', REPLICATED, FAST_FAILOVER);
  });

  afterAll(async () => {
    await node?.stop();
  });

  async function createTopic(prefix: string): Promise<string> {
    const topic = topicName(prefix);
    const admin = await node.admin();
    await admin.createTopics({ topics: [{ topic, replicaAssignment: ASSIGNMENT }] });
    for (const { partition } of ASSIGNMENT) await waitForPartition(node, topic, partition, 'the ISR full', (p) => p.isr.length === 3);
    return topic;
  }

  it('everyAcknowledgedRecordConsumedAcrossALeaderCrash: in order per partition, at its acknowledged offset', async () => {
    const topic = await createTopic('crash');
    const port = (id: number): number => node.port(id);
    const pool = new ConnectionPool(port);
    const history = new HistoryRecorder(0, topic);
    const consumers = startFetchConsumers(PARTITIONS, pool, new LeaderDirectory(pool, [1, 2, 3], topic), history, 4_000);
    const producer = await node.producer({ allowAutoTopicCreation: false });
    const sends = sendUntilStopped(producer, topic);
    try {
      await waitFor('acknowledged records on every partition before the crash', () => ASSIGNMENT.every(({ partition }) => sends.ackedSince(partition, 0) >= 5));
      const crashedAt = Date.now();
      await node.cluster.control.crashBroker(1);
      await waitFor(
        'acknowledged records on every partition after broker 1 crashed',
        () => ASSIGNMENT.every(({ partition }) => sends.ackedSince(partition, crashedAt) >= 5),
        15_000,
      );
    } finally {
      await sends.stop();
    }
    const lastAcked = (partition: number): bigint => sends.acknowledged.filter((a) => a.partition === partition).reduce((max, a) => (a.offset > max ? a.offset : max), -1n);
    await waitFor('the consumers to read up to the last acknowledged offset of every partition', () =>
      ASSIGNMENT.every(({ partition }) => history.reads.some((r) => r.partition === partition && r.offset >= lastAcked(partition))),
    );
    await consumers.stop();
    pool.close();

    const after = await partitionViews(node, topic, [2, 3]);
    expect(after[0]!.leader, 'partition 0 moved from broker 1 to the next replica of its ISR').toBe(2);
    for (const { partition } of ASSIGNMENT) {
      const acked = sends.acknowledged.filter((a) => a.partition === partition);
      const reads = history.reads.filter((r) => r.partition === partition);
      expect(
        acked.map((a) => a.offset),
        `partition ${partition}: acknowledged offsets rise in the order acknowledged`,
      ).toEqual([...acked.map((a) => a.offset)].sort((a, b) => (a < b ? -1 : 1)));
      expect(
        reads.map((r) => r.offset),
        `partition ${partition}: consumed once each, in offset order, no gap`,
      ).toEqual(reads.map((_, i) => BigInt(i)));
      const consumedAt = new Map(reads.map((r) => [r.offset, r.value]));
      const missing = acked.filter((a) => consumedAt.get(a.offset) !== a.value);
      expect(missing, `partition ${partition}: acknowledged records not consumed at their offset`).toEqual([]);
      const stored = new Map((await readFromLeader(node, after[partition]!.leader, topic, partition)).map((r) => [r.offset, r.value]));
      expect(
        acked.filter((a) => stored.get(a.offset) !== a.value),
        `partition ${partition}: acknowledged records not in the leader's log`,
      ).toEqual([]);
    }
  }, 30_000);

  it('controlledShutdownMovesLeadershipsFirst: a kafkajs acks=all producer sees every send resolve', async () => {
    const topic = await createTopic('controlled');
    const led = (await partitionViews(node, topic)).filter((p) => p.leader === 2).map((p) => p.partition);
    expect(led.length, 'broker 2 leads a partition').toBeGreaterThan(0);
    const producer = await node.producer({ allowAutoTopicCreation: false });
    const sends = sendUntilStopped(producer, topic);
    const logFrom = node.logs.lines.length;
    try {
      await waitFor('acknowledged records on every partition before the stop', () => ASSIGNMENT.every(({ partition }) => sends.ackedSince(partition, 0) >= 5));
      const stoppedAt = Date.now();
      await node.cluster.control.stopBroker(2);
      await waitFor('acknowledged records on every partition after broker 2 stopped', () => ASSIGNMENT.every(({ partition }) => sends.ackedSince(partition, stoppedAt) >= 5));
    } finally {
      await sends.stop();
    }
    expect(sends.errors, 'sends that failed').toEqual([]);
    const lines = node.logs.lines.slice(logFrom);
    const moved = lines.findIndex((l) => l.startsWith('INFO controller: broker 2 in controlled shutdown (0 leaderships could not move)'));
    const shutDown = lines.indexOf('INFO broker 2: shut down');
    expect(moved, 'the controller moved every leadership of broker 2').toBeGreaterThanOrEqual(0);
    expect(shutDown, 'broker 2 shut down after its leaderships moved').toBeGreaterThan(moved);
    for (const view of await partitionViews(node, topic, [1, 3])) {
      expect(view.leader, `partition ${view.partition}'s leader`).not.toBe(2);
      expect(view.isr, `partition ${view.partition}'s ISR`).not.toContain(2);
    }
    await node.cluster.control.startBroker(2);
  }, 30_000);
});
