// kcat -L (librdkafka's view of Metadata) as a broker dies and returns on a
// real 3-broker node: the partitions it led get new leaders and it leaves
// every ISR; back and caught up, it rejoins the ISRs; and the preferred
// leaders come back by themselves (auto.leader.rebalance.enable, checked
// every second here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/cluster.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { FAST_FAILOVER, produceAcknowledged, REPLICATED, waitForPartition } from './failover.test-support.js';
import { kcatMetadata, kcatMissing } from './kcat.test-support.js';
import type { KcatMetadata } from './kcat.test-support.js';

/** Each partition's leader, replicas and ISR as kcat prints them, by partition. */
type KcatPartitions = Array<{ partition: number; leader: number; replicas: number[]; isr: number[] }>;

function partitionsOf(metadata: KcatMetadata, topic: string): KcatPartitions {
  const listed = metadata.topics.find((t) => t.topic === topic);
  if (listed === undefined || listed.error !== undefined) throw new Error(`kcat -L -t ${topic}: ${listed?.error ?? 'topic not listed'}`);
  return listed.partitions
    .map((p) => ({ partition: p.partition, leader: p.leader, replicas: p.replicas.map((r) => r.id), isr: p.isrs.map((r) => r.id).sort() }))
    .sort((a, b) => a.partition - b.partition);
}

describe.skipIf(kcatMissing !== null)('kcat -L across a broker crash', () => {
  let node: CompatCluster;
  const assignment = [
    { partition: 0, replicas: [1, 2, 3] },
    { partition: 1, replicas: [2, 3, 1] },
    { partition: 2, replicas: [3, 1, 2] },
  ];

  beforeAll(async () => {
    // The crashed broker stays down 2 s before its restart, long enough for kcat to see it gone.
    node = await CompatCluster.start(
      'kcat-failover',
      { ...REPLICATED, 'leader.imbalance.check.interval.seconds': '1' },
      { ...FAST_FAILOVER, restartPolicy: { initialDelayMs: 2_000, maxDelayMs: 2_000, resetAfterMs: 5_000 } },
    );
  });

  afterAll(async () => {
    await node?.stop();
  });

  /** Polls kcat -L until `check` accepts `topic`'s partitions; fails naming `what` and the last listing. */
  async function waitForKcat(topic: string, what: string, check: (partitions: KcatPartitions) => boolean): Promise<KcatPartitions> {
    let last: KcatPartitions = [];
    try {
      await waitFor(
        what,
        async () => {
          last = partitionsOf(await kcatMetadata(node.bootstrap, ['-t', topic]), topic);
          return check(last);
        },
        20_000,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; kcat -L last listed ${JSON.stringify(last)}`);
    }
    return last;
  }

  it('leadersAndIsrFollowTheCrashAndReturnOfBroker1', async () => {
    const topic = topicName('kcat-failover');
    const admin = await node.admin();
    await admin.createTopics({ topics: [{ topic, replicaAssignment: assignment }] });
    for (const { partition, replicas } of assignment) {
      await waitForPartition(node, topic, partition, 'its preferred leader with the ISR full', (p) => p.leader === replicas[0] && p.isr.length === 3);
      await produceAcknowledged(node, replicas[0]!, topic, partition, [`before-${partition}`], -1);
    }
    const full = await waitForKcat(topic, 'kcat -L listing the preferred leaders and full ISRs', (ps) => ps.every((p) => p.leader === p.replicas[0] && p.isr.length === 3));
    expect(full).toEqual(assignment.map(({ partition, replicas }) => ({ partition, leader: replicas[0], replicas, isr: [1, 2, 3] })));

    await node.cluster.control.crashBroker(1);
    const crashed = await waitForKcat(topic, 'kcat -L showing broker 1 gone from leaders and ISRs', (ps) => ps.every((p) => p.leader !== 1 && !p.isr.includes(1)));
    // Partition 0's next replica in the ISR takes over; the others keep their leaders.
    expect(crashed.map((p) => [p.partition, p.leader, p.isr])).toEqual([
      [0, 2, [2, 3]],
      [1, 2, [2, 3]],
      [2, 3, [2, 3]],
    ]);
    expect(
      crashed.map((p) => p.replicas),
      'replicas do not change',
    ).toEqual(assignment.map((a) => a.replicas));

    await waitForKcat(topic, 'kcat -L showing broker 1 back in every ISR', (ps) => ps.every((p) => p.isr.includes(1)));
    const rebalanced = await waitForKcat(topic, 'kcat -L showing the preferred leaders back', (ps) => ps.every((p) => p.leader === p.replicas[0]));
    expect(rebalanced).toEqual(assignment.map(({ partition, replicas }) => ({ partition, leader: replicas[0], replicas, isr: [1, 2, 3] })));
  }, 30_000);
});
