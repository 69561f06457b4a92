// kafkajs 2.2.4 consumer groups on a real 3-broker node (issue 11): members
// share a topic's partitions with kafkajs's own round-robin assignor and
// move them as members come and go; with kafkajs's commits after each batch
// every record is processed once per group while no member crashes; groups
// are independent; and a member that comes back resumes where the group
// committed.
import type { Admin, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/cluster.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { GroupMember } from './group-member.test-support.js';
import {
  committedOffsets,
  deliveryFaults,
  GROUP_CONFIGS,
  numberedMessages,
  partitionCounts,
  sharingFaults,
  stableAndShared,
  waitForCommittedToEnd,
  waitForGroup,
} from './groups.test-support.js';
import type { GroupView } from './groups.test-support.js';

const PARTITIONS = 6;

describe('kafkajs consumer groups', () => {
  let node: CompatCluster;
  let admin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    node = await CompatCluster.start('kafkajs-groups', GROUP_CONFIGS);
    admin = await node.admin();
    producer = await node.producer();
  });

  afterAll(async () => {
    await node?.stop();
  });

  async function createTopic(prefix: string): Promise<string> {
    const topic = topicName(prefix);
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
    return topic;
  }

  function startMembers(names: readonly string[], groupId: string, topic: string): Promise<GroupMember[]> {
    return Promise.all(names.map((name) => GroupMember.start(node, name, groupId, topic)));
  }

  /** Each running member's own assignment (its last GROUP_JOIN) is the one the coordinator holds for its member id. */
  async function expectMembersAgree(members: readonly GroupMember[], view: GroupView): Promise<void> {
    const held = new Map(view.members.map((m) => [m.memberId, m.partitions]));
    await waitFor('every member to have joined the generation described', () => members.every((m) => m.memberId !== null && held.has(m.memberId)));
    for (const m of members) expect(m.assignment, `${m.name}'s assignment as it joined`).toEqual(held.get(m.memberId!));
  }

  it('threeMembersGetTwoEachFourthTakesSomeLeaverGivesBack: 2-2-2, then 4 sharing all 6, then 2-2-2 again', async () => {
    const topic = await createTopic('balanced');
    const groupId = topicName('balanced-group');
    const [a, b, c] = await startMembers(['a', 'b', 'c'], groupId, topic);

    let view = await waitForGroup(admin, groupId, topic, '3 members Stable, 2 partitions each', (v) => stableAndShared(v, 3, PARTITIONS) && partitionCounts(v).join() === '2,2,2');
    expect(view.protocol, "kafkajs's default assignor").toBe('RoundRobinAssigner');
    await expectMembersAgree([a!, b!, c!], view);

    const d = await GroupMember.start(node, 'd', groupId, topic);
    view = await waitForGroup(admin, groupId, topic, '4 members Stable sharing every partition', (v) => stableAndShared(v, 4, PARTITIONS));
    expect(sharingFaults(view, PARTITIONS)).toEqual([]);
    expect(partitionCounts(view), 'every member has a partition, none more than 2').toEqual([1, 1, 2, 2]);
    await expectMembersAgree([a!, b!, c!, d], view);

    await b!.stop();
    view = await waitForGroup(
      admin,
      groupId,
      topic,
      'back to 3 members with 2 partitions each after b left',
      (v) => stableAndShared(v, 3, PARTITIONS) && partitionCounts(v).join() === '2,2,2',
    );
    expect(view.members.map((m) => m.memberId)).not.toContain(b!.memberId);
    await expectMembersAgree([a!, c!, d], view);
  }, 60_000);

  it('eachRecordOnceAcrossCleanMembershipChanges: produced while members join and leave, each record processed once', async () => {
    const topic = await createTopic('once');
    const groupId = topicName('once-group');
    const members = await startMembers(['a', 'b', 'c'], groupId, topic);
    await waitForGroup(admin, groupId, topic, '3 members Stable', (v) => stableAndShared(v, 3, PARTITIONS));

    const produced: string[] = [];
    const send = async (prefix: string): Promise<void> => {
      const messages = numberedMessages(prefix, 120, PARTITIONS);
      await producer.send({ topic, messages });
      produced.push(...messages.map((m) => m.value));
    };
    const deliveries = () => members.flatMap((m) => m.deliveries);
    const allSeen = (what: string) => waitFor(what, () => deliveryFaults(produced, deliveries()).missing.length === 0, 20_000);

    await send('stable');
    await allSeen('the first 120 records to be processed');
    members.push(await GroupMember.start(node, 'd', groupId, topic));
    await send('joining');
    await waitForGroup(admin, groupId, topic, '4 members Stable', (v) => stableAndShared(v, 4, PARTITIONS));
    await allSeen('the records sent while d joined to be processed');
    await members[0]!.stop();
    await send('leaving');
    await waitForGroup(admin, groupId, topic, '3 members Stable after a left', (v) => stableAndShared(v, 3, PARTITIONS));
    await send('after');
    await allSeen('every record to be processed');
    await waitForCommittedToEnd(admin, groupId, topic);

    expect(deliveryFaults(produced, deliveries())).toEqual({ missing: [], duplicated: [] });
    expect(
      members.flatMap((m) => m.crashes),
      'consumer crashes',
    ).toEqual([]);
  }, 60_000);

  it('twoGroupsEachSeeEverything: two groups on one topic each process every record once', async () => {
    const topic = await createTopic('two-groups');
    const [first, second] = [topicName('first-group'), topicName('second-group')];
    const ofFirst = await startMembers(['first-a', 'first-b'], first, topic);
    const ofSecond = await startMembers(['second-a', 'second-b', 'second-c'], second, topic);
    await waitForGroup(admin, first, topic, '2 members Stable', (v) => stableAndShared(v, 2, PARTITIONS));
    await waitForGroup(admin, second, topic, '3 members Stable', (v) => stableAndShared(v, 3, PARTITIONS));

    const messages = numberedMessages('shared', 200, PARTITIONS);
    await producer.send({ topic, messages });
    const produced = messages.map((m) => m.value);
    await waitForCommittedToEnd(admin, first, topic);
    await waitForCommittedToEnd(admin, second, topic);

    expect(
      deliveryFaults(
        produced,
        ofFirst.flatMap((m) => m.deliveries),
      ),
      first,
    ).toEqual({ missing: [], duplicated: [] });
    expect(
      deliveryFaults(
        produced,
        ofSecond.flatMap((m) => m.deliveries),
      ),
      second,
    ).toEqual({ missing: [], duplicated: [] });
  }, 60_000);

  it('restartedMemberResumesFromCommit: a member back after leaving reads only what came after the committed offsets', async () => {
    const topic = await createTopic('resume');
    const groupId = topicName('resume-group');
    const before = await GroupMember.start(node, 'before', groupId, topic);
    await producer.send({ topic, messages: numberedMessages('old', 60, PARTITIONS) });
    const committed = await waitForCommittedToEnd(admin, groupId, topic);
    expect([...committed.values()], 'each partition committed after its 10 records').toEqual(Array(PARTITIONS).fill(10n));
    expect(before.committed, 'the commits kafkajs saw acknowledged are the ones OffsetFetch answers').toEqual(committed);
    await before.stop();
    await waitForGroup(admin, groupId, topic, 'Empty after its only member left', (v) => v.state === 'Empty' && v.members.length === 0);
    expect(await committedOffsets(admin, groupId, topic), 'commits kept while the group is Empty').toEqual(committed);

    const fresh = numberedMessages('new', 30, PARTITIONS);
    await producer.send({ topic, messages: fresh });
    const after = await GroupMember.start(node, 'after', groupId, topic);
    await waitForCommittedToEnd(admin, groupId, topic);
    expect(after.deliveries.map((d) => d.value).sort()).toEqual(fresh.map((m) => m.value).sort());
    for (let p = 0; p < PARTITIONS; p++) {
      expect(after.deliveries.find((d) => d.partition === p)?.offset, `partition ${p}: the first offset read is the committed one`).toBe(10n);
    }
  }, 60_000);
});
