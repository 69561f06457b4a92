// A healed link lets replication resume at once: followers cut off from
// their leader (cutLink) leave the ISR after replica.lag.time.max.ms, and
// once the links are healed they fetch again and rejoin within seconds —
// not after the 30 s their fetch lost in the cut takes to time out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { FAST_FAILOVER, produceAcknowledged, REPLICATED, waitForPartition } from './failover.test-support.js';

describe('a healed link', () => {
  let node: CompatCluster;

  beforeAll(async () => {
    node = await CompatCluster.start('healed-cut', REPLICATED, FAST_FAILOVER);
  });

  afterAll(async () => {
    await node?.stop();
  });

  it('followersRejoinTheIsrSoonAfterTheirLinksHeal', async () => {
    const topic = topicName('healed');
    const admin = await node.admin();
    await admin.createTopics({ topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }] }] });
    await waitForPartition(node, topic, 0, 'broker 1 leading with the ISR full', (p) => p.leader === 1 && p.isr.length === 3);
    await node.cluster.control.cutLink(1, 2);
    await node.cluster.control.cutLink(1, 3);
    await produceAcknowledged(node, 1, topic, 0, ['while-cut'], 1);
    await waitForPartition(node, topic, 0, 'the followers out of the ISR', (p) => p.isr.join() === '1', { askBrokers: [1] });
    await node.cluster.control.healLink(1, 2);
    await node.cluster.control.healLink(1, 3);
    const healedAt = Date.now();
    await waitForPartition(node, topic, 0, 'the followers back in the ISR within 10 s of the heal', (p) => p.isr.length === 3, { askBrokers: [1], timeoutMs: 10_000 });
    expect(Date.now() - healedAt).toBeLessThan(10_000);
  }, 30_000);
});
