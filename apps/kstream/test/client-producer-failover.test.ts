// @kstream/client's Producer (acks=all) across a leader's crash on a real
// 3-broker node (RF 3, min.insync.replicas=2): records are produced
// continuously, broker 1 — leader of partition 0 — is crashed mid-stream,
// and afterwards every acknowledged record is in the log at its
// acknowledged offset, none lost, in send order per partition. The brokers
// answer InitProducerId, so the producer is idempotent: a batch retried after
// the crash (its first attempt written or not) is in the log exactly once,
// and no record overtakes an earlier one of its partition.
import { Producer, stringSerde, type RecordMetadata } from '@kstream/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/cluster.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { FAST_FAILOVER, partitionViews, readFromLeader, REPLICATED, waitForPartition } from './failover.test-support.js';

const ASSIGNMENT = [
  { partition: 0, replicas: [1, 2, 3] },
  { partition: 1, replicas: [2, 3, 1] },
  { partition: 2, replicas: [3, 1, 2] },
];

interface Acknowledged {
  readonly value: string;
  readonly metadata: RecordMetadata;
  readonly at: number;
}

describe('client producer across failover', () => {
  let node: CompatCluster;

  beforeAll(async () => {
    node = await CompatCluster.start('client-producer-failover', REPLICATED, FAST_FAILOVER);
    // Three broker workers start in well under 30 s, but not always under a load average near 20.
  }, 90_000);

  afterAll(async () => {
    await node?.stop();
  });

  it('everyAcknowledgedRecordSurvivesALeaderCrashOnceAndInOrderPerPartition', async () => {
    const topic = topicName('crash');
    const admin = await node.admin();
    await admin.createTopics({ topics: [{ topic, replicaAssignment: ASSIGNMENT }] });
    for (const { partition } of ASSIGNMENT) await waitForPartition(node, topic, partition, 'the ISR full', (p) => p.isr.length === 3);

    const retries: string[] = [];
    const logger = { debug: (message: string) => retries.push(message), info() {}, warn() {}, error() {} };
    const producer = new Producer<string, string>({
      bootstrap: node.bootstrap,
      valueSerializer: stringSerde,
      acks: 'all',
      lingerMs: 2,
      requestTimeoutMs: 3_000,
      deliveryTimeoutMs: 20_000,
      logger,
    });
    const acknowledged: Acknowledged[] = [];
    const failures: string[] = [];
    let stopped = false;
    // Three lanes, each sending 20 records per call to its partition, the next call as soon as the last resolves.
    const lanes = ASSIGNMENT.map(async ({ partition }) => {
      for (let call = 0; !stopped; call++) {
        const values = Array.from({ length: 20 }, (_, i) => `p${partition}-${call * 20 + i}`);
        try {
          const results = await producer.send(values.map((value) => ({ topic, value, partition })));
          const at = Date.now();
          results.forEach((metadata, i) => {
            acknowledged.push({ value: values[i]!, metadata, at });
          });
        } catch (error) {
          failures.push(`${values[0]}..: ${(error as Error).message}`);
        }
      }
    });
    const ackedSince = (partition: number, since: number) => acknowledged.filter((a) => a.metadata.partition === partition && a.at > since).length;
    try {
      await waitFor('acknowledged records on every partition before the crash', () => ASSIGNMENT.every(({ partition }) => ackedSince(partition, 0) >= 100));
      const crashedAt = Date.now();
      await node.cluster.control.crashBroker(1);
      await waitFor('acknowledged records on every partition after broker 1 crashed', () => ASSIGNMENT.every(({ partition }) => ackedSince(partition, crashedAt) >= 100), 20_000);
    } finally {
      stopped = true;
      await Promise.all(lanes);
      await producer.close({ timeoutMs: 10_000 });
    }
    expect(producer.idempotent, 'the producer got a producer id (InitProducerId)').toBe(true);
    expect(failures, 'sends that failed').toEqual([]);
    expect(retries.filter((m) => m.startsWith('retrying')).length, 'batches retried after the crash').toBeGreaterThan(0);

    const after = await partitionViews(node, topic, [2, 3]);
    expect(after[0]!.leader, 'partition 0 moved off the crashed broker 1').not.toBe(1);
    for (const { partition } of ASSIGNMENT) {
      const stored = await readFromLeader(node, after[partition]!.leader, topic, partition);
      const atOffset = new Map(stored.map((r) => [r.offset, r.value]));
      const acked = acknowledged.filter((a) => a.metadata.partition === partition);
      const lost = acked.filter((a) => atOffset.get(a.metadata.offset) !== a.value);
      expect(
        lost.map((a) => `${a.value}@${a.metadata.offset}`),
        `partition ${partition}: acknowledged records not at their offset`,
      ).toEqual([]);
      // Exactly once and in send order: the log holds this partition's records 0, 1, 2, ... with no repeat and no gap.
      const numbers = stored.map(({ value }) => Number(value.split('-')[1]));
      const seen = new Set<number>();
      const repeated = numbers.filter((n) => seen.size === seen.add(n).size);
      expect(repeated, `partition ${partition}: records written twice by a retry`).toEqual([]);
      expect(numbers, `partition ${partition}: records in send order, none missing`).toEqual(numbers.map((_, i) => i));
    }
    console.log(`client-producer-failover: ${acknowledged.length} records acknowledged, none lost or duplicated; ${retries.length} batch retries`);
  }, 50_000);
});
