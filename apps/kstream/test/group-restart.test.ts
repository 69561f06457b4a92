// Consumer groups across a clean restart of the whole node on the same data
// dir (issue 11): every coordinator loads its __consumer_offsets partitions
// again, so a group's committed offsets (from its members and from a simple
// commit outside any group) are answered as before, the group is listed and
// described as it was left, and a new member resumes where it committed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { GroupMember } from './group-member.test-support.js';
import { committedOffsets, describeGroup, GROUP_CONFIGS, numberedMessages, servingCoordinator, waitForCommittedToEnd, waitForGroup } from './groups.test-support.js';
import { errorName, RawConnection } from './raw-connection.test-support.js';
import { commitOffset } from './raw-group-requests.test-support.js';

const PARTITIONS = 3;

describe('groups across a node restart', () => {
  let node: CompatCluster;
  const topic = topicName('restart');
  const consumers = topicName('restart-group');
  const simple = topicName('restart-simple');
  let committedBefore: Map<number, bigint>;

  beforeAll(async () => {
    node = await CompatCluster.start('group-restart', GROUP_CONFIGS);
    const admin = await node.admin();
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
    const producer = await node.producer();
    await producer.send({ topic, messages: numberedMessages('before', 30, PARTITIONS) });
    const member = await GroupMember.start(node, 'before', consumers, topic);
    committedBefore = await waitForCommittedToEnd(admin, consumers, topic);
    await member.stop();
    await waitForGroup(admin, consumers, topic, 'Empty after its member left', (v) => v.state === 'Empty');
    const conn = await RawConnection.open(node.port(await servingCoordinator(node, simple)));
    try {
      expect(errorName(await commitOffset(conn, simple, -1, '', topic, 7n))).toBe('NONE');
    } finally {
      conn.close();
    }
    await node.restart();
  }, 60_000);

  afterAll(async () => {
    await node?.stop();
  });

  it('offsetsAndGroupsReloaded: the same committed offsets and group states after the restart', async () => {
    await servingCoordinator(node, consumers);
    await servingCoordinator(node, simple);
    const admin = await node.admin();
    expect(committedBefore, 'committed before the restart').toEqual(
      new Map([
        [0, 10n],
        [1, 10n],
        [2, 10n],
      ]),
    );
    expect(await committedOffsets(admin, consumers, topic)).toEqual(committedBefore);
    expect(await committedOffsets(admin, simple, topic)).toEqual(new Map([[0, 7n]]));
    const described = await describeGroup(admin, consumers, topic);
    expect([described.state, described.members.length]).toEqual(['Empty', 0]);
    const { groups } = await admin.listGroups();
    expect(groups.filter((g) => g.groupId === consumers || g.groupId === simple).sort((a, b) => a.groupId.localeCompare(b.groupId))).toEqual(
      [
        { groupId: consumers, protocolType: 'consumer' },
        { groupId: simple, protocolType: '' },
      ].sort((a, b) => a.groupId.localeCompare(b.groupId)),
    );
  }, 30_000);

  it('memberResumesFromTheReloadedCommits: only the records produced after the restart are read', async () => {
    await servingCoordinator(node, consumers);
    const admin = await node.admin();
    const producer = await node.producer();
    const fresh = numberedMessages('after', 15, PARTITIONS);
    await producer.send({ topic, messages: fresh });
    const member = await GroupMember.start(node, 'after', consumers, topic);
    await waitForCommittedToEnd(admin, consumers, topic);
    expect(member.deliveries.map((d) => d.value).sort()).toEqual(fresh.map((m) => m.value).sort());
    expect(
      member.deliveries.filter((d) => d.offset < 10n),
      'nothing below the reloaded commits',
    ).toEqual([]);
  }, 30_000);
});
