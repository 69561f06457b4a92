// Divergent logs (KIP-101, KIP-279) on a real 3-broker node: a leader
// appends with acks=1 what no follower copied (its links to both are cut),
// then dies; the followers elect a new leader that takes writes; the old
// leader comes back, truncates its divergent tail by leader epoch and
// catches up. Afterwards every replica on disk is byte for byte the
// leader's, and the divergent records are readable from no one.
import { afterEach, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { FAST_FAILOVER, partitionView, produceAcknowledged, readFromLeader, replicaOnDisk, valuesOf, waitForPartition } from './failover.test-support.js';
import { waitFor } from '../src/cluster.test-support.js';

// Followers stay in the ISR while the leader's links are cut for the few seconds a scenario takes.
const CONFIG = { 'min.insync.replicas': '2', 'replica.lag.time.max.ms': '20000' };
const COMMITTED = ['a0', 'a1', 'a2', 'a3', 'a4'];
const DIVERGENT = ['lost-0', 'lost-1', 'lost-2'];

describe('divergent logs', () => {
  let node: CompatCluster | undefined;

  afterEach(async () => {
    await node?.stop();
    node = undefined;
  });

  /** A node with one partition on replicas [1, 2, 3] (broker 1 leads), COMMITTED on every replica. */
  async function startWithCommittedRecords(name: string): Promise<{ node: CompatCluster; topic: string }> {
    const started = await CompatCluster.start(name, CONFIG, FAST_FAILOVER);
    node = started;
    const topic = topicName(name);
    const admin = await started.admin();
    await admin.createTopics({ topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }] }] });
    await waitForPartition(started, topic, 0, 'broker 1 leading with the ISR full', (p) => p.leader === 1 && p.isr.length === 3);
    await produceAcknowledged(started, 1, topic, 0, COMMITTED, -1);
    return { node: started, topic };
  }

  /** Broker 1, cut from both followers, appends DIVERGENT with acks=1 and crashes; the controller elects broker 2 from the ISR. */
  async function divergeAndCrashLeader(node: CompatCluster, topic: string): Promise<number> {
    const before = await partitionView(node, topic, 0);
    await node.cluster.control.cutLink(1, 2);
    await node.cluster.control.cutLink(1, 3);
    expect(await produceAcknowledged(node, 1, topic, 0, DIVERGENT, 1)).toBe(BigInt(COMMITTED.length));
    await node.cluster.control.crashBroker(1);
    const after = await waitForPartition(node, topic, 0, 'broker 2 elected from the ISR', (p) => p.leader === 2, { askBrokers: [2, 3] });
    expect(after.isr).toEqual([2, 3]);
    expect(after.leaderEpoch).toBe(before.leaderEpoch + 1);
    return after.leaderEpoch;
  }

  /** Stops broker 1 once it is back from its crash (its links still cut), shows the divergent tail on its disk, and starts it again. */
  async function expectDivergentTailOnBroker1(node: CompatCluster, topic: string): Promise<void> {
    await waitFor('broker 1 to run again after its crash', async () => (await node.cluster.control.describe()).brokers[0]!.alive);
    await node.cluster.control.stopBroker(1);
    expect(valuesOf(await replicaOnDisk(node, 1, topic, 0))).toEqual([...COMMITTED, ...DIVERGENT]);
    await node.cluster.control.startBroker(1);
  }

  /** Stops the node cleanly and checks every replica on disk against `leader`'s: same batches, byte for byte, holding `expected`. */
  async function expectReplicasIdentical(node: CompatCluster, topic: string, leader: number, expected: readonly string[]): Promise<void> {
    await node.cluster.stop();
    const leaderLog = await replicaOnDisk(node, leader, topic, 0);
    expect(valuesOf(leaderLog)).toEqual(expected);
    for (const broker of [1, 2, 3]) {
      const replica = await replicaOnDisk(node, broker, topic, 0);
      expect(valuesOf(replica), `broker ${broker}'s replica`).toEqual(expected);
      expect(
        replica.map((b) => b.bytes.toString('hex')),
        `broker ${broker}'s batches, byte for byte broker ${leader}'s`,
      ).toEqual(leaderLog.map((b) => b.bytes.toString('hex')));
    }
  }

  it('oldLeaderTruncatesItsDivergentTail: broker 1 drops what only it appended and copies the new leader', async () => {
    const { node, topic } = await startWithCommittedRecords('divergent');
    await divergeAndCrashLeader(node, topic);
    const rewritten = ['b0', 'b1', 'b2'];
    expect(await produceAcknowledged(node, 2, topic, 0, rewritten, -1)).toBe(BigInt(COMMITTED.length));
    await expectDivergentTailOnBroker1(node, topic);

    await node.cluster.control.healLink(1, 2);
    await node.cluster.control.healLink(1, 3);
    await waitForPartition(node, topic, 0, 'broker 1 back in the ISR', (p) => p.isr.includes(1), { askBrokers: [2] });
    const expected = [...COMMITTED, ...rewritten];
    expect((await readFromLeader(node, 2, topic, 0)).map((r) => [r.offset, r.value])).toEqual(expected.map((v, i) => [BigInt(i), v]));
    await expectReplicasIdentical(node, topic, 2, expected);
  }, 30_000);

  it('doubleFailover (KIP-279): two leader changes before the old leader returns, and it still ends byte-identical', async () => {
    const { node, topic } = await startWithCommittedRecords('double-failover');
    const secondEpoch = await divergeAndCrashLeader(node, topic);
    const second = ['b0', 'b1'];
    expect(await produceAcknowledged(node, 2, topic, 0, second, -1)).toBe(BigInt(COMMITTED.length));

    // Broker 2 stops on purpose: broker 3, alone in the ISR, leads a third epoch; acks=1, as min.insync.replicas=2 refuses acks=all.
    await node.cluster.control.stopBroker(2);
    const third = await waitForPartition(node, topic, 0, 'broker 3 elected', (p) => p.leader === 3, { askBrokers: [3] });
    expect(third.leaderEpoch).toBe(secondEpoch + 1);
    const thirdValues = ['c0', 'c1', 'c2', 'c3'];
    expect(await produceAcknowledged(node, 3, topic, 0, thirdValues, 1)).toBe(BigInt(COMMITTED.length + second.length));
    await expectDivergentTailOnBroker1(node, topic);

    await node.cluster.control.healLink(1, 2);
    await node.cluster.control.healLink(1, 3);
    await node.cluster.control.startBroker(2);
    await waitForPartition(node, topic, 0, 'brokers 1 and 2 back in the ISR', (p) => p.isr.length === 3, { askBrokers: [3] });
    const expected = [...COMMITTED, ...second, ...thirdValues];
    expect((await readFromLeader(node, 3, topic, 0)).map((r) => r.value)).toEqual(expected);
    await expectReplicasIdentical(node, topic, 3, expected);
  }, 30_000);
});
