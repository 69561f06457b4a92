// The group coordinator's broker crashes mid-stream on a real 3-broker node
// (issue 11; __consumer_offsets and the topic at RF 3, min.insync.replicas
// 2): the leadership of the group's __consumer_offsets partition moves, the
// new leader loads it, the kafkajs members find it and go on committing
// there, every offset the old coordinator acknowledged is still there, and no
// record of the log goes unprocessed. kafkajs retries the dead coordinator's
// address until its retries run out, then restarts the consumer, which finds
// the new coordinator (a crash the members' CRASH events show): that is
// kafkajs's way, not asserted on. A clean move (controlled shutdown of the
// coordinator's broker) keeps a member's generation, metadata and assignment:
// it heartbeats the new coordinator as if nothing happened.
import type { Admin } from 'kafkajs';
import { DescribeGroups } from '@kstream/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/cluster.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { FAST_FAILOVER, REPLICATED } from './failover.test-support.js';
import { GroupMember } from './group-member.test-support.js';
import {
  committedOffsets,
  deliveryFaults,
  endOffsets,
  findCoordinator,
  GROUP_CONFIGS,
  pastACrash,
  stableAndShared,
  streamUntilStopped,
  waitForCommittedToEnd,
  waitForCoordinator,
  servingCoordinator,
  waitForGroup,
  waitForServing,
} from './groups.test-support.js';
import { errorName, RawConnection } from './raw-connection.test-support.js';
import { DESCRIBE_GROUPS_VERSION, heartbeat, stableGroupOfOne } from './raw-group-requests.test-support.js';

const ASSIGNMENT = [
  { partition: 0, replicas: [1, 2, 3] },
  { partition: 1, replicas: [2, 3, 1] },
  { partition: 2, replicas: [3, 1, 2] },
];
const PARTITIONS = ASSIGNMENT.length;
/** The crashed broker stays down 3 s before the supervisor restarts it: the group is served by the new coordinator meanwhile. */
const DOWN_MS = 3_000;

/** DescribeGroups v5 of one group on broker `broker`: state, protocol and each member with its metadata and assignment. */
async function describeRaw(node: CompatCluster, broker: number, groupId: string) {
  const conn = await RawConnection.open(node.port(broker));
  try {
    const response = await conn.request(DescribeGroups, DESCRIBE_GROUPS_VERSION, { groups: [groupId], includeAuthorizedOperations: false });
    const group = response.groups[0];
    if (group === undefined || group.errorCode !== 0)
      throw new Error(`DescribeGroups of ${groupId} on broker ${broker}: ${group === undefined ? 'no entry' : errorName(group.errorCode)}`);
    return { ...group, members: group.members.map((m) => ({ ...m, memberMetadata: m.memberMetadata.toString('hex'), memberAssignment: m.memberAssignment.toString('hex') })) };
  } finally {
    conn.close();
  }
}

describe('the group coordinator crashes', () => {
  let node: CompatCluster;
  let admin: Admin;

  beforeAll(async () => {
    node = await CompatCluster.start(
      'group-coordinator-crash',
      { ...REPLICATED, ...GROUP_CONFIGS, 'offsets.topic.replication.factor': '3' },
      { ...FAST_FAILOVER, restartPolicy: { initialDelayMs: DOWN_MS, maxDelayMs: DOWN_MS, resetAfterMs: 60_000 } },
    );
    admin = await node.admin();
  });

  afterAll(async () => {
    await node?.stop();
  });

  it('membersFollowTheMovedCoordinatorWithEveryCommit: offsets committed before the crash are there after it, nothing skipped', async () => {
    const topic = topicName('coordinator-crash');
    await admin.createTopics({ topics: [{ topic, replicaAssignment: ASSIGNMENT }], waitForLeaders: true });
    const groupId = topicName('coordinator-crash-group');
    const members = await Promise.all(['a', 'b'].map((name) => GroupMember.start(node, name, groupId, topic)));
    await waitForGroup(admin, groupId, topic, '2 members Stable sharing the partitions', (v) => stableAndShared(v, 2, PARTITIONS));
    const coordinator = await findCoordinator(node, groupId);

    const stream = streamUntilStopped(await node.producer({ allowAutoTopicCreation: false }), topic, PARTITIONS);
    const processedSince = (since: number) => members.flatMap((m) => m.deliveries).filter((d) => Number(d.value.slice(1, d.value.indexOf('-'))) >= since).length;
    let before = new Map<number, bigint>();
    try {
      await waitFor(
        'every partition committed by the members before the crash',
        async () => {
          before = await committedOffsets(admin, groupId, topic);
          return before.size === PARTITIONS && [...before.values()].every((o) => o > 0n);
        },
        20_000,
      );
      // What the coordinator acknowledged (OffsetFetch, and every commit a member saw answered) before it crashed.
      for (const member of members) {
        for (const [partition, offset] of member.committed) if (offset > (before.get(partition) ?? -1n)) before.set(partition, offset);
      }
      const roundAtCrash = stream.acknowledged.length / PARTITIONS;
      await node.cluster.control.crashBroker(coordinator);

      const next = await waitForCoordinator(node, groupId, `another broker than ${coordinator}`, (b) => b !== coordinator, coordinator === 1 ? 2 : 1);
      await waitForServing(node, next, groupId);
      const after = await pastACrash(() => committedOffsets(admin, groupId, topic));
      for (const [partition, offset] of before) {
        expect(after.get(partition), `partition ${partition}: committed before broker ${coordinator} crashed, read from broker ${next}`).toBeGreaterThanOrEqual(offset);
      }
      await waitFor(`the members to process records sent well after broker ${coordinator} crashed`, () => processedSince(roundAtCrash + 50) > 0, 20_000);
      await waitFor(
        `the members to commit on broker ${next}`,
        async () => {
          const committed = await pastACrash(() => committedOffsets(admin, groupId, topic));
          return [...committed].some(([p, o]) => o > (after.get(p) ?? -1n));
        },
        20_000,
      );
    } finally {
      await stream.stop();
    }
    await pastACrash(() => waitForCommittedToEnd(admin, groupId, topic, 30_000));

    const processed = members.flatMap((m) => m.deliveries);
    expect(deliveryFaults(stream.acknowledged, processed).missing, 'acknowledged records never processed').toEqual([]);
    for (const [partition, end] of await pastACrash(() => endOffsets(admin, topic))) {
      const seen = new Set(processed.filter((d) => d.partition === partition).map((d) => d.offset));
      const skipped = Array.from({ length: Number(end) }, (_, o) => BigInt(o)).filter((o) => !seen.has(o));
      expect(skipped, `partition ${partition}: offsets below its end offset ${end} never processed`).toEqual([]);
    }
    await waitForGroup(admin, groupId, topic, 'still its 2 members, Stable', (v) => stableAndShared(v, 2, PARTITIONS));
    await waitFor(`broker ${coordinator} back after its crash`, async () => (await node.cluster.control.describe()).brokers.some((b) => b.id === coordinator && b.alive), 20_000);
  }, 90_000);

  it('cleanMoveKeepsMembersAndAssignments: after a controlled shutdown of its broker the new coordinator knows the member, its generation and its assignment', async () => {
    const topic = topicName('coordinator-move');
    await admin.createTopics({ topics: [{ topic, replicaAssignment: ASSIGNMENT }], waitForLeaders: true });
    const groupId = topicName('coordinator-move-group');
    const coordinator = await servingCoordinator(node, groupId);
    const first = await RawConnection.open(node.port(coordinator));
    const member = await stableGroupOfOne(first, groupId, topic, { sessionTimeoutMs: 20_000 }).finally(() => first.close());
    const before = await describeRaw(node, coordinator, groupId);

    await node.cluster.control.stopBroker(coordinator);
    try {
      const next = await waitForCoordinator(node, groupId, `another broker than ${coordinator}`, (b) => b !== coordinator, coordinator === 1 ? 2 : 1);
      await waitForServing(node, next, groupId);
      const conn = await RawConnection.open(node.port(next));
      try {
        expect(errorName(await heartbeat(conn, groupId, member.generationId, member.memberId)), 'the member heartbeats the new coordinator in its generation').toBe('NONE');
      } finally {
        conn.close();
      }
      expect(await describeRaw(node, next, groupId), 'the group as the old coordinator described it').toEqual(before);
      expect(before.groupState).toBe('Stable');
    } finally {
      await node.cluster.control.startBroker(coordinator);
    }
  }, 60_000);
});
