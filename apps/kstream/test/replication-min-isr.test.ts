// Two of three replicas down (replication factor 3, min.insync.replicas=2)
// on a real node: acks=all is refused — NOT_ENOUGH_REPLICAS before the
// append once the controller has shrunk the ISR to the leader,
// NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrinks while the produce
// waits — acks=1 is still served, and nothing acknowledged is lost when the
// brokers return.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { FAST_FAILOVER, produceAcknowledged, produceTo, readFromLeader, REPLICATED, waitForPartition } from './failover.test-support.js';
import { errorName } from './raw-connection.test-support.js';

describe('two of three replicas down', () => {
  let node: CompatCluster;

  beforeAll(async () => {
    node = await CompatCluster.start('min-isr', REPLICATED, FAST_FAILOVER);
  });

  afterAll(async () => {
    await node?.stop();
  });

  async function createTopic(prefix: string): Promise<string> {
    const topic = topicName(prefix);
    const admin = await node.admin();
    await admin.createTopics({ topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }] }] });
    await waitForPartition(node, topic, 0, 'broker 1 leading with the ISR full', (p) => p.leader === 1 && p.isr.length === 3);
    return topic;
  }

  it('stoppedFollowersRefuseAcksAllAndServeAcksOne: NOT_ENOUGH_REPLICAS before appending, every acknowledged record kept', async () => {
    const topic = await createTopic('two-down');
    expect(await produceAcknowledged(node, 1, topic, 0, ['a0', 'a1', 'a2'], -1)).toBe(0n);

    await node.cluster.control.stopBroker(2);
    await waitForPartition(node, topic, 0, 'broker 2 out of the ISR', (p) => p.isr.join() === '1,3', { askBrokers: [1] });
    expect(await produceAcknowledged(node, 1, topic, 0, ['b0'], -1)).toBe(3n);

    await node.cluster.control.stopBroker(3);
    await waitForPartition(node, topic, 0, 'broker 1 alone in the ISR', (p) => p.leader === 1 && p.isr.join() === '1', { askBrokers: [1] });
    const refused = await produceTo(node, 1, topic, 0, ['refused'], -1);
    expect(errorName(refused.errorCode), refused.errorMessage ?? '').toBe('NOT_ENOUGH_REPLICAS');
    expect(refused.errorMessage).toContain('min.insync.replicas=2');
    expect(await produceAcknowledged(node, 1, topic, 0, ['c0', 'c1'], 1)).toBe(4n);

    const acknowledged = ['a0', 'a1', 'a2', 'b0', 'c0', 'c1'].map((value, i) => ({ offset: BigInt(i), value }));
    expect(await readFromLeader(node, 1, topic, 0), 'the survivor holds every acknowledged record and nothing refused').toEqual(acknowledged);

    await node.cluster.control.startBroker(2);
    await node.cluster.control.startBroker(3);
    await waitForPartition(node, topic, 0, 'the ISR full again', (p) => p.isr.length === 3, { askBrokers: [1] });
    expect(await produceAcknowledged(node, 1, topic, 0, ['d0'], -1), 'acks=all served again').toBe(6n);
    expect(await readFromLeader(node, 1, topic, 0)).toEqual([...acknowledged, { offset: 6n, value: 'd0' }]);
  }, 30_000);

  it('isrShrinksWhileAcksAllWaits: NOT_ENOUGH_REPLICAS_AFTER_APPEND, and the record stays appended', async () => {
    const topic = await createTopic('shrink-during-wait');
    expect(await produceAcknowledged(node, 1, topic, 0, ['a0'], -1)).toBe(0n);
    await node.cluster.control.cutLink(1, 2);
    await node.cluster.control.cutLink(1, 3);
    try {
      // The followers stop fetching: after replica.lag.time.max.ms (2 s) the leader shrinks the ISR to itself, which ends the wait.
      const answer = await produceTo(node, 1, topic, 0, ['appended'], -1, 15_000);
      expect(errorName(answer.errorCode), answer.errorMessage ?? '').toBe('NOT_ENOUGH_REPLICAS_AFTER_APPEND');
      expect((await waitForPartition(node, topic, 0, 'the shrunk ISR', () => true, { askBrokers: [1] })).isr).toEqual([1]);
      expect((await readFromLeader(node, 1, topic, 0)).map((r) => r.value)).toEqual(['a0', 'appended']);
    } finally {
      await node.cluster.control.healAll();
    }
    await waitForPartition(node, topic, 0, 'the ISR full again after healing', (p) => p.isr.length === 3, { askBrokers: [1] });
    expect((await readFromLeader(node, 1, topic, 0)).map((r) => r.value)).toEqual(['a0', 'appended']);
  }, 30_000);
});
