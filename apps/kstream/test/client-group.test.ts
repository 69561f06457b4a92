// @kstream/client consumers in a group on a real 3-broker node: three share
// six partitions and a leaver's partitions move to the others; a static
// member restarted within its session gets its partitions back with no
// rebalance; a member that stops polling for maxPollIntervalMs leaves the
// group, the others take its partitions, and it rejoins when it polls again.
import type { Admin, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/cluster.test-support.js';
import { GroupLog, PollingMember, type MemberOptions } from './client-group-members.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { GROUP_CONFIGS, numberedMessages, partitionCounts, stableAndShared, waitForCommittedToEnd, waitForGroup } from './groups.test-support.js';

const PARTITIONS = 6;

describe('@kstream/client consumer groups', () => {
  let node: CompatCluster;
  let admin: Admin;
  let producer: Producer;
  const members: PollingMember[] = [];

  beforeAll(async () => {
    node = await CompatCluster.start('client-group', GROUP_CONFIGS);
    admin = await node.admin();
    producer = await node.producer();
  });

  afterAll(async () => {
    await Promise.allSettled(members.map((m) => m.stop()));
    await node?.stop();
  });

  async function createTopic(prefix: string): Promise<string> {
    const topic = topicName(prefix);
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
    return topic;
  }

  function member(name: string, topic: string, log: GroupLog, options: MemberOptions): PollingMember {
    const m = new PollingMember(node, name, topic, log, options);
    members.push(m);
    return m;
  }

  /** Waits until the listed members own, between them, every partition, `counts` apiece (ascending), as their listeners saw it. */
  async function waitForShares(log: GroupLog, names: readonly string[], counts: string, what: string): Promise<void> {
    await waitFor(
      `${what}: ${counts} partitions among ${names.join(', ')}`,
      () => {
        const owned = log.assignments();
        const all = names.flatMap((n) => owned.get(n) ?? []);
        return (
          new Set(all).size === PARTITIONS &&
          all.length === PARTITIONS &&
          names
            .map((n) => (owned.get(n) ?? []).length)
            .sort()
            .join() === counts
        );
      },
      20_000,
    );
  }

  it('threeMembersSplitSixPartitionsAndALeaversMoveToTheOthers: 2-2-2, then 3-3, each record read once', async () => {
    const topic = await createTopic('client-split');
    const groupId = topicName('client-split-group');
    const log = new GroupLog();
    const first = numberedMessages('before', 60, PARTITIONS);
    await producer.send({ topic, messages: first });

    const [a, b] = ['a', 'b', 'c'].map((name) => member(name, topic, log, { groupId }));
    const view = await waitForGroup(
      admin,
      groupId,
      topic,
      '3 members Stable, 2 partitions each',
      (v) => stableAndShared(v, 3, PARTITIONS) && partitionCounts(v).join() === '2,2,2',
    );
    expect(view.protocol, "Kafka 3's default assignors, range first").toBe('range');
    await waitForShares(log, ['a', 'b', 'c'], '2,2,2', 'the members');
    expect(log.assignments().get('a'), 'range gives the first member in member-id order a contiguous range').toHaveLength(2);

    await b!.stop();
    await waitForGroup(admin, groupId, topic, '2 members after b left', (v) => stableAndShared(v, 2, PARTITIONS) && partitionCounts(v).join() === '3,3');
    await waitForShares(log, ['a', 'c'], '3,3', 'after b left');
    const second = numberedMessages('after', 60, PARTITIONS);
    await producer.send({ topic, messages: second });
    await waitForCommittedToEnd(admin, groupId, topic);

    expect(log.overlaps()).toEqual([]);
    expect(log.readsWithoutOwnership()).toEqual([]);
    expect(log.deliveryFaults([...first, ...second].map((m) => m.value))).toEqual({ missing: [], duplicated: [] });
    expect(a!.error).toBeNull();
  }, 60_000);

  it('staticMemberRestartedWithinItsSessionGetsItsPartitionsBackWithoutARebalance', async () => {
    const topic = await createTopic('client-static');
    const groupId = topicName('client-static-group');
    const log = new GroupLog();
    const options = (instance: string): MemberOptions => ({ groupId, groupInstanceId: instance, sessionTimeoutMs: 15_000 });
    const [a] = ['a', 'b', 'c'].map((name) => member(name, topic, log, options(`instance-${name}`)));
    await waitForShares(log, ['a', 'b', 'c'], '2,2,2', 'the static members');
    const before = log.assignments();
    const eventsBefore = log.ownership.length;

    await a!.stop();
    const restarted = member('a', topic, log, options('instance-a'));
    await waitFor('the restarted member to own partitions again', () => restarted.partitions().length === 2, 20_000);
    await producer.send({ topic, messages: numberedMessages('static', 30, PARTITIONS) });
    await waitForCommittedToEnd(admin, groupId, topic);

    expect(restarted.partitions(), 'the same partitions as before the restart').toEqual(before.get('a'));
    const othersChanged = log.ownership.slice(eventsBefore).filter((e) => e.member !== 'a');
    expect(othersChanged, 'b and c gave up and gained nothing').toEqual([]);
    const view = await waitForGroup(admin, groupId, topic, '3 members Stable', (v) => stableAndShared(v, 3, PARTITIONS));
    expect(view.members).toHaveLength(3);
  }, 60_000);

  it('memberThatStopsPollingLeavesAndTheOthersTakeItsPartitions; it rejoins when it polls again', async () => {
    const topic = await createTopic('client-max-poll');
    const groupId = topicName('client-max-poll-group');
    const log = new GroupLog();
    const [a] = ['a', 'b', 'c'].map((name) => member(name, topic, log, { groupId, maxPollIntervalMs: 3_000 }));
    await waitForShares(log, ['a', 'b', 'c'], '2,2,2', 'the members');

    a!.hold(true);
    await waitForShares(log, ['b', 'c'], '3,3', 'after a stopped polling');
    expect(log.ownership.filter((e) => e.member === 'a' && e.kind === 'lost').length, "a's partitions were lost, not revoked").toBe(2);
    await producer.send({ topic, messages: numberedMessages('held', 30, PARTITIONS) });
    await waitForCommittedToEnd(admin, groupId, topic);

    a!.hold(false);
    await waitForShares(log, ['a', 'b', 'c'], '2,2,2', 'after a polled again');
    expect(log.overlaps()).toEqual([]);
    expect(log.readsWithoutOwnership()).toEqual([]);
  }, 60_000);
});
