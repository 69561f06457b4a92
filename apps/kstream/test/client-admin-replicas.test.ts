// @kstream/client's Admin moving leaders and replicas on a 3-broker node:
// a preferred election brings leadership back after a broker restart (and
// is not needed a second time), and a reassignment is listed while its new
// replica cannot catch up, then shows in describeTopics once done.
import type { Admin } from '@kstream/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { batchFailure, clientAdmin, waitForDescribed } from './client-admin.test-support.js';
import { FAST_FAILOVER, REPLICATED } from './failover.test-support.js';

// A follower's fetch lost to a cut link is given up after 1 s and sent again (30 s by default).
const CONFIG = { ...REPLICATED, 'replica.socket.timeout.ms': '1000' };

describe('@kstream/client Admin: leaders and replicas', () => {
  let node: CompatCluster;
  let admin: Admin;

  beforeAll(async () => {
    node = await CompatCluster.start('client-admin-replicas', CONFIG, FAST_FAILOVER);
    admin = await clientAdmin(node);
  });

  afterAll(async () => {
    await admin?.close();
    await node?.stop();
  });

  it('preferredElectionAfterARestart: the first replica leads again; a second election is not needed', async () => {
    const topic = topicName('elected');
    await admin.createTopics([{ topic, replicaAssignment: [[1, 2, 3]] }]);
    const before = await waitForDescribed(admin, topic, 0, 'broker 1 leading, the ISR full', (p) => p.leader === 1 && p.isr.length === 3);

    await node.cluster.control.restartBroker(1);
    const failedOver = await waitForDescribed(admin, topic, 0, 'another leader, broker 1 back in the ISR', (p) => p.leader !== 1 && p.leader !== null && p.isr.includes(1), 20_000);
    expect(failedOver.leaderEpoch).toBeGreaterThan(before.leaderEpoch);

    expect(await admin.electLeaders('preferred', [{ topic, partition: 0 }])).toEqual([{ topic, partition: 0, elected: true }]);
    const back = await waitForDescribed(admin, topic, 0, 'broker 1 leading again', (p) => p.leader === 1);
    expect(back.leaderEpoch).toBeGreaterThan(failedOver.leaderEpoch);
    expect(await admin.electLeaders('preferred', [{ topic, partition: 0 }])).toEqual([{ topic, partition: 0, elected: false }]);
    expect(await admin.electLeaders('unclean', [{ topic, partition: 0 }]), 'a partition with a leader needs no unclean election').toEqual([
      { topic, partition: 0, elected: false },
    ]);
    expect(await admin.electLeaders('preferred', null), 'every preferred leader leads: nothing to elect').toEqual([]);
    expect((await batchFailure(admin.electLeaders('preferred', [{ topic, partition: 5 }]))).failed).toEqual([[`${topic}-5`, 'UNKNOWN_TOPIC_OR_PARTITION']]);
  }, 40_000);

  it('reassignmentListedThenDescribed: in progress while the new replica is cut off, then the target replicas with the new leader', async () => {
    const topic = topicName('reassigned');
    await admin.createTopics([{ topic, replicaAssignment: [[1, 2]] }]);
    await waitForDescribed(admin, topic, 0, 'broker 1 leading, the ISR full', (p) => p.leader === 1 && p.isr.length === 2);

    // Broker 3 cannot fetch from the leader until the link heals: the reassignment stays in progress meanwhile.
    await node.cluster.control.cutLink(1, 3);
    try {
      await admin.alterPartitionReassignments([{ topic, partition: 0, replicas: [3, 2] }]);
      expect(await admin.listPartitionReassignments([{ topic, partition: 0 }])).toEqual([{ topic, partition: 0, replicas: [3, 2, 1], addingReplicas: [3], removingReplicas: [1] }]);
      expect(await admin.listPartitionReassignments()).toContainEqual(expect.objectContaining({ topic, partition: 0 }));
    } finally {
      await node.cluster.control.healLink(1, 3);
    }
    const moved = await waitForDescribed(admin, topic, 0, 'on brokers 3 and 2, broker 3 leading', (p) => p.leader === 3 && p.replicas.length === 2, 15_000);
    expect(moved.replicas).toEqual([3, 2]);
    expect([...moved.isr].sort()).toEqual([2, 3]);
    expect(await admin.listPartitionReassignments([{ topic, partition: 0 }])).toEqual([]);

    const refused = await batchFailure(
      admin.alterPartitionReassignments([
        { topic, partition: 0, replicas: null },
        { topic, partition: 0 + 1, replicas: [1] },
      ]),
    );
    expect(refused.failed).toEqual([
      [`${topic}-0`, 'NO_REASSIGNMENT_IN_PROGRESS'],
      [`${topic}-1`, 'UNKNOWN_TOPIC_OR_PARTITION'],
    ]);
  }, 40_000);

  it('stoppedBrokerOffline: its replicas shown offline, out of the ISR; a partition only it held has no leader and none to elect', async () => {
    const [topic, orphaned] = [topicName('offline'), topicName('orphaned')];
    await admin.createTopics([
      { topic, replicaAssignment: [[1, 2, 3]] },
      { topic: orphaned, replicaAssignment: [[3]] },
    ]);
    await waitForDescribed(admin, topic, 0, 'the ISR full', (p) => p.isr.length === 3);
    await node.cluster.control.stopBroker(3);
    try {
      const shrunk = await waitForDescribed(admin, topic, 0, 'broker 3 offline and out of the ISR', (p) => p.offline.includes(3) && !p.isr.includes(3), 15_000);
      expect(shrunk.offline).toEqual([3]);
      const orphan = await waitForDescribed(admin, orphaned, 0, 'no leader', (p) => p.leader === null);
      expect(orphan).toMatchObject({ replicas: [3], offline: [3] });
      expect((await batchFailure(admin.electLeaders('unclean', [{ topic: orphaned, partition: 0 }]))).failed).toEqual([[`${orphaned}-0`, 'ELIGIBLE_LEADERS_NOT_AVAILABLE']]);
    } finally {
      await node.cluster.control.startBroker(3);
    }
    const back = await waitForDescribed(admin, orphaned, 0, 'broker 3 leading again', (p) => p.leader === 3, 15_000);
    expect(back.offline).toEqual([]);
  }, 40_000);
});
