// kafkajs 2.2.4's admin client on consumer groups of a real 3-broker node
// (issue 11): listGroups, describeGroups (members, their subscriptions and
// assignments), fetchOffsets, setOffsets / resetOffsets (kafkajs joins the
// group to seek, so the group must have no members), deleteGroups (refused
// while members remain), a simple commit from outside any group, and
// ListGroups' state filter (raw: kafkajs sends none). kafkajs has no
// deleteOffsets: OffsetDelete is pinned by group-errors.test.ts.
import { AssignerProtocol } from 'kafkajs';
import type { Admin, Producer } from 'kafkajs';
import { ListGroups } from '@kstream/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { GroupMember } from './group-member.test-support.js';
import { committedOffsets, endOffsets, GROUP_CONFIGS, numberedMessages, servingCoordinator, stableAndShared, waitForCommittedToEnd, waitForGroup } from './groups.test-support.js';
import { expectKafkaError } from './kafkajs-errors.test-support.js';
import { errorName, RawConnection } from './raw-connection.test-support.js';
import { commitOffset } from './raw-group-requests.test-support.js';

const PARTITIONS = 3;

describe('kafkajs admin on groups', () => {
  let node: CompatCluster;
  let admin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    node = await CompatCluster.start('kafkajs-admin-groups', GROUP_CONFIGS);
    admin = await node.admin();
    producer = await node.producer();
  });

  afterAll(async () => {
    await node?.stop();
  });

  /** A topic of PARTITIONS partitions holding 10 records each. */
  async function filledTopic(prefix: string): Promise<string> {
    const topic = topicName(prefix);
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
    await producer.send({ topic, messages: numberedMessages(prefix, 10 * PARTITIONS, PARTITIONS) });
    return topic;
  }

  it('listAndDescribeAGroup: its members with their client, subscription and assignment; fetchOffsets at the end offsets', async () => {
    const topic = await filledTopic('described');
    const groupId = topicName('described-group');
    const members = await Promise.all(['a', 'b'].map((name) => GroupMember.start(node, name, groupId, topic)));
    const view = await waitForGroup(admin, groupId, topic, '2 members Stable', (v) => stableAndShared(v, 2, PARTITIONS));
    await waitForCommittedToEnd(admin, groupId, topic);

    const { groups: listed } = await admin.listGroups();
    expect(listed.filter((g) => g.groupId === groupId)).toEqual([{ groupId, protocolType: 'consumer' }]);

    const { groups } = await admin.describeGroups([groupId]);
    const [described] = groups;
    expect([described?.state, described?.protocolType, described?.protocol]).toEqual(['Stable', 'consumer', 'RoundRobinAssigner']);
    expect(described!.members.map((m) => m.memberId).sort()).toEqual(members.map((m) => m.memberId).sort());
    for (const m of described!.members) {
      expect(m.clientId).toBe('kstream-compat');
      expect(m.clientHost).toContain('127.0.0.1');
      expect(AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics, `${m.memberId}'s subscription`).toEqual([topic]);
    }
    expect(view.members.flatMap((m) => m.partitions).sort()).toEqual([0, 1, 2]);

    expect(await committedOffsets(admin, groupId, topic)).toEqual(await endOffsets(admin, topic));
    const everyTopic = await admin.fetchOffsets({ groupId });
    expect(
      everyTopic.map((t) => t.topic),
      'fetchOffsets without topics answers every topic the group committed',
    ).toEqual([topic]);
  }, 45_000);

  it('setAndResetOffsetsOfAnEmptyGroup: refused while it has members; once Empty the next member starts where they were set', async () => {
    const topic = await filledTopic('set');
    const groupId = topicName('set-group');
    const first = await GroupMember.start(node, 'first', groupId, topic);
    await waitForCommittedToEnd(admin, groupId, topic);
    await expect(admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '2' }] }), 'kafkajs refuses a group with members').rejects.toThrow(/no running instances/);
    await first.stop();
    await waitForGroup(admin, groupId, topic, 'Empty', (v) => v.state === 'Empty');

    await admin.setOffsets({
      groupId,
      topic,
      partitions: [
        { partition: 0, offset: '2' },
        { partition: 2, offset: '7' },
      ],
    });
    expect(await committedOffsets(admin, groupId, topic)).toEqual(
      new Map([
        [0, 2n],
        [1, 10n],
        [2, 7n],
      ]),
    );
    const second = await GroupMember.start(node, 'second', groupId, topic);
    await waitForCommittedToEnd(admin, groupId, topic);
    expect(second.deliveries.map((d) => [d.partition, d.offset]).sort(), 'only what lies past the set offsets').toEqual(
      [...[2, 3, 4, 5, 6, 7, 8, 9].map((o) => [0, BigInt(o)]), [2, 7n], [2, 8n], [2, 9n]].sort(),
    );
    await second.stop();
    await waitForGroup(admin, groupId, topic, 'Empty', (v) => v.state === 'Empty');

    await admin.resetOffsets({ groupId, topic, earliest: true });
    const third = await GroupMember.start(node, 'third', groupId, topic);
    await waitForCommittedToEnd(admin, groupId, topic);
    expect(third.deliveries.length, 'after resetOffsets earliest every record is read again').toBe(10 * PARTITIONS);
  }, 45_000);

  it('deleteGroupsRefusedWhileMembersRemain: NON_EMPTY_GROUP, then deleted with its offsets once Empty', async () => {
    const topic = await filledTopic('deleted');
    const groupId = topicName('deleted-group');
    const member = await GroupMember.start(node, 'only', groupId, topic);
    await waitForCommittedToEnd(admin, groupId, topic);
    await expectKafkaError(admin.deleteGroups([groupId]), 'NON_EMPTY_GROUP');
    await member.stop();

    expect(await admin.deleteGroups([groupId])).toEqual([{ groupId, errorCode: 0 }]);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(groupId);
    expect(await committedOffsets(admin, groupId, topic), 'its offsets went with it').toEqual(new Map());
    await expectKafkaError(admin.deleteGroups([groupId]), 'GROUP_ID_NOT_FOUND');
  }, 45_000);

  it('simpleCommitFromOutsideAnyGroup: generation -1 without a member creates an Empty group holding the offset', async () => {
    const topic = await filledTopic('simple');
    const groupId = topicName('simple-group');
    const conn = await RawConnection.open(node.port(await servingCoordinator(node, groupId)));
    try {
      expect(errorName(await commitOffset(conn, groupId, -1, '', topic, 4n))).toBe('NONE');
    } finally {
      conn.close();
    }
    expect(await committedOffsets(admin, groupId, topic)).toEqual(new Map([[0, 4n]]));
    const { groups } = await admin.describeGroups([groupId]);
    expect(groups.map((g) => [g.state, g.protocolType, g.members.length])).toEqual([['Empty', '', 0]]);
    expect((await admin.listGroups()).groups.filter((g) => g.groupId === groupId)).toEqual([{ groupId, protocolType: '' }]);
  }, 45_000);

  it('listGroupsStatesFilter: raw ListGroups v4 on every broker (kafkajs sends no filter) answers only the groups in the states asked', async () => {
    const topic = await filledTopic('filtered');
    const [stable, empty] = [topicName('filtered-stable'), topicName('filtered-empty')];
    await GroupMember.start(node, 'stable', stable, topic);
    await waitForGroup(admin, stable, topic, 'Stable', (v) => stableAndShared(v, 1, PARTITIONS));
    const conn = await RawConnection.open(node.port(await servingCoordinator(node, empty)));
    try {
      expect(errorName(await commitOffset(conn, empty, -1, '', topic, 1n))).toBe('NONE');
    } finally {
      conn.close();
    }
    const listed = async (statesFilter: string[]): Promise<Array<[string, string]>> => {
      const groups: Array<[string, string]> = [];
      for (const broker of [1, 2, 3]) {
        const raw = await RawConnection.open(node.port(broker));
        try {
          const response = await raw.request(ListGroups, 4, { statesFilter });
          expect(errorName(response.errorCode), `ListGroups on broker ${broker}`).toBe('NONE');
          groups.push(...response.groups.filter((g) => g.groupId === stable || g.groupId === empty).map((g): [string, string] => [g.groupId, g.groupState]));
        } finally {
          raw.close();
        }
      }
      return groups.sort();
    };
    expect(await listed(['Stable'])).toEqual([[stable, 'Stable']]);
    expect(await listed(['Empty'])).toEqual([[empty, 'Empty']]);
    expect(await listed(['PreparingRebalance', 'Dead'])).toEqual([]);
    expect(await listed([]), 'no filter: every state').toEqual(
      [
        [empty, 'Empty'],
        [stable, 'Stable'],
      ].sort(),
    );
  }, 45_000);
});
