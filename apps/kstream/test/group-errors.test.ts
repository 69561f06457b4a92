// The group coordinator's error codes, seen from raw requests against a real
// 3-broker node (issue 11): each misuse a client can make of the classic
// protocol is answered with Kafka's code, as data, and the connection stays
// open — a wrong generation, an unknown member, a commit while the group
// waits for its leader's assignment, a static member's old id after its
// instance rejoined, a v4+ join without a member id, a session timeout out
// of range, deleting a group with members, and a broker that is not the
// coordinator.
import { DeleteGroups, DescribeGroups, ErrorCode, LeaveGroup, OffsetDelete, OffsetFetch } from '@kstream/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { GROUP_CONFIGS, servingCoordinator } from './groups.test-support.js';
import { errorName, RawConnection } from './raw-connection.test-support.js';
import {
  commitOffset,
  DELETE_GROUPS_VERSION,
  DESCRIBE_GROUPS_VERSION,
  heartbeat,
  joinAsNewMember,
  joinGroup,
  LEAVE_GROUP_VERSION,
  OFFSET_FETCH_VERSION,
  stableGroupOfOne,
  syncGroup,
} from './raw-group-requests.test-support.js';

/** group.min.session.timeout.ms as GROUP_CONFIGS sets it, and Kafka's default group.max.session.timeout.ms. */
const MIN_SESSION_TIMEOUT_MS = Number(GROUP_CONFIGS['group.min.session.timeout.ms']);
const MAX_SESSION_TIMEOUT_MS = 1_800_000;
/** group.max.size on this node: more than any test but groupMaxSizeReached needs. */
const GROUP_MAX_SIZE = 3;

describe('group coordinator errors', () => {
  let node: CompatCluster;
  let topic: string;
  const connections: RawConnection[] = [];

  beforeAll(async () => {
    node = await CompatCluster.start('group-errors', { ...GROUP_CONFIGS, 'group.max.size': String(GROUP_MAX_SIZE) });
    topic = topicName('errors');
    const admin = await node.admin();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  });

  afterAll(async () => {
    for (const conn of connections) conn.close();
    await node?.stop();
  });

  /** A new group id and a connection to its coordinator, once it serves the group. */
  async function newGroup(prefix: string): Promise<{ groupId: string; conn: RawConnection; coordinator: number }> {
    const groupId = topicName(prefix);
    const coordinator = await servingCoordinator(node, groupId);
    return { groupId, conn: await connect(coordinator), coordinator };
  }

  async function connect(broker: number): Promise<RawConnection> {
    const conn = await RawConnection.open(node.port(broker));
    connections.push(conn);
    return conn;
  }

  it('wrongGenerationIsIllegalGeneration: Heartbeat, SyncGroup and OffsetCommit one generation ahead', async () => {
    const { groupId, conn } = await newGroup('generation');
    const { memberId, generationId } = await stableGroupOfOne(conn, groupId, topic);
    expect(errorName(await heartbeat(conn, groupId, generationId, memberId)), 'heartbeat in its generation').toBe('NONE');
    expect(errorName(await heartbeat(conn, groupId, generationId + 1, memberId))).toBe('ILLEGAL_GENERATION');
    expect(errorName((await syncGroup(conn, groupId, generationId + 1, memberId)).errorCode)).toBe('ILLEGAL_GENERATION');
    expect(errorName(await commitOffset(conn, groupId, generationId + 1, memberId, topic, 5n))).toBe('ILLEGAL_GENERATION');
    expect(errorName(await commitOffset(conn, groupId, generationId - 1, memberId, topic, 5n))).toBe('ILLEGAL_GENERATION');
    expect(errorName(await commitOffset(conn, groupId, generationId, memberId, topic, 5n)), 'commit in its generation').toBe('NONE');
  });

  it('unknownMemberIsUnknownMemberId: Heartbeat, SyncGroup, OffsetCommit and LeaveGroup of a member the group does not have', async () => {
    const { groupId, conn } = await newGroup('unknown-member');
    const { generationId } = await stableGroupOfOne(conn, groupId, topic);
    const stranger = 'consumer-not-a-member';
    expect(errorName(await heartbeat(conn, groupId, generationId, stranger))).toBe('UNKNOWN_MEMBER_ID');
    expect(errorName((await syncGroup(conn, groupId, generationId, stranger)).errorCode)).toBe('UNKNOWN_MEMBER_ID');
    expect(errorName(await commitOffset(conn, groupId, generationId, stranger, topic, 5n))).toBe('UNKNOWN_MEMBER_ID');
    const left = await conn.request(LeaveGroup, LEAVE_GROUP_VERSION, { groupId, members: [{ memberId: stranger, groupInstanceId: null, reason: null }] });
    expect(errorName(left.errorCode), 'LeaveGroup v3+ answers per member').toBe('NONE');
    expect(left.members.map((m) => [m.memberId, errorName(m.errorCode)])).toEqual([[stranger, 'UNKNOWN_MEMBER_ID']]);
    // A simple commit (generation -1, no member) is only for an Empty group.
    expect(errorName(await commitOffset(conn, groupId, -1, '', topic, 5n))).toBe('UNKNOWN_MEMBER_ID');
  });

  it('commitDuringRebalance: accepted while the group prepares a rebalance, REBALANCE_IN_PROGRESS until the leader synced', async () => {
    const { groupId, conn, coordinator } = await newGroup('rebalance');
    const first = await stableGroupOfOne(conn, groupId, topic);
    // A second member joins (on its own connection: the coordinator parks its JoinGroup until the first rejoins).
    const second = await connect(coordinator);
    const required = await joinGroup(second, groupId, topic);
    expect(errorName(required.errorCode)).toBe('MEMBER_ID_REQUIRED');
    const secondJoined = joinGroup(second, groupId, topic, { memberId: required.memberId });

    await expect.poll(() => heartbeat(conn, groupId, first.generationId, first.memberId).then(errorName), { timeout: 5_000 }).toBe('REBALANCE_IN_PROGRESS');
    // Kafka lets members of the current generation commit before they rejoin (PreparingRebalance).
    expect(errorName(await commitOffset(conn, groupId, first.generationId, first.memberId, topic, 7n)), 'commit while PreparingRebalance').toBe('NONE');

    const rejoined = await joinGroup(conn, groupId, topic, { memberId: first.memberId });
    const joinedToo = await secondJoined;
    expect([errorName(rejoined.errorCode), errorName(joinedToo.errorCode)]).toEqual(['NONE', 'NONE']);
    expect(rejoined.generationId, 'the rebalance is the next generation').toBe(first.generationId + 1);
    expect(joinedToo.generationId).toBe(rejoined.generationId);
    const generationId = rejoined.generationId;
    const leader = rejoined.leader;
    const [leaderConn, leaderId, otherConn, otherId] =
      leader === first.memberId ? [conn, first.memberId, second, joinedToo.memberId] : [second, joinedToo.memberId, conn, first.memberId];

    // CompletingRebalance: both joined, the leader has not sent the assignment yet.
    expect(errorName(await commitOffset(otherConn, groupId, generationId, otherId, topic, 8n)), 'commit while CompletingRebalance').toBe('REBALANCE_IN_PROGRESS');
    const otherSynced = syncGroup(otherConn, groupId, generationId, otherId);
    const leaderSynced = await syncGroup(leaderConn, groupId, generationId, leaderId, { assignTo: leaderId, topic, partitions: 1 });
    expect([errorName(leaderSynced.errorCode), errorName((await otherSynced).errorCode)]).toEqual(['NONE', 'NONE']);
    expect(errorName(await commitOffset(leaderConn, groupId, generationId, leaderId, topic, 9n)), 'commit once Stable').toBe('NONE');
  });

  it('staticMemberOldIdIsFencedInstanceId: its instance rejoined with a new member id, the old one is fenced without a rebalance', async () => {
    const { groupId, conn, coordinator } = await newGroup('static');
    const instance = 'instance-1';
    const before = await stableGroupOfOne(conn, groupId, topic, { groupInstanceId: instance });
    const restarted = await connect(coordinator);
    const rejoined = await joinGroup(restarted, groupId, topic, { groupInstanceId: instance });
    expect(errorName(rejoined.errorCode), 'a static member joins without MEMBER_ID_REQUIRED').toBe('NONE');
    expect(rejoined.memberId, 'the instance gets a new member id').not.toBe(before.memberId);
    expect(rejoined.generationId, 'no rebalance for a static member back within its session').toBe(before.generationId);

    expect(errorName(await heartbeat(conn, groupId, before.generationId, before.memberId, instance))).toBe('FENCED_INSTANCE_ID');
    expect(errorName(await commitOffset(conn, groupId, before.generationId, before.memberId, topic, 3n, instance))).toBe('FENCED_INSTANCE_ID');
    expect(errorName((await syncGroup(conn, groupId, before.generationId, before.memberId, { groupInstanceId: instance })).errorCode)).toBe('FENCED_INSTANCE_ID');
    expect(errorName(await heartbeat(restarted, groupId, rejoined.generationId, rejoined.memberId, instance)), 'the new member id heartbeats').toBe('NONE');
  });

  it('joinGroupV4WithoutMemberIdIsMemberIdRequired: v4 names the id to rejoin with; v3 joins at once', async () => {
    const { groupId, conn } = await newGroup('member-id');
    const required = await joinGroup(conn, groupId, topic, { version: 4 });
    expect(errorName(required.errorCode)).toBe('MEMBER_ID_REQUIRED');
    expect(required.memberId, 'the member id to join with').not.toBe('');
    const joined = await joinGroup(conn, groupId, topic, { version: 4, memberId: required.memberId });
    expect([errorName(joined.errorCode), joined.memberId]).toEqual(['NONE', required.memberId]);

    const old = await newGroup('member-id-v3');
    const v3 = await joinGroup(old.conn, old.groupId, topic, { version: 3 });
    expect(errorName(v3.errorCode)).toBe('NONE');
    expect(v3.memberId).not.toBe('');
  });

  it('sessionTimeoutOutOfRangeIsInvalidSessionTimeout: below group.min.session.timeout.ms and above group.max.session.timeout.ms', async () => {
    const { groupId, conn } = await newGroup('session');
    for (const sessionTimeoutMs of [MIN_SESSION_TIMEOUT_MS - 1, MAX_SESSION_TIMEOUT_MS + 1]) {
      const answer = await joinGroup(conn, groupId, topic, { sessionTimeoutMs });
      expect(errorName(answer.errorCode), `session timeout ${sessionTimeoutMs} ms`).toBe('INVALID_SESSION_TIMEOUT');
    }
    expect((await joinAsNewMember(conn, groupId, topic, { sessionTimeoutMs: MIN_SESSION_TIMEOUT_MS })).errorCode, 'the minimum itself is allowed').toBe(ErrorCode.NONE);
  });

  it('deleteNonEmptyGroupIsNonEmptyGroup: deleted once its member left; an unknown group is GROUP_ID_NOT_FOUND', async () => {
    const { groupId, conn } = await newGroup('delete');
    const { memberId } = await stableGroupOfOne(conn, groupId, topic);
    const deleteGroup = async (id: string) =>
      (await conn.request(DeleteGroups, DELETE_GROUPS_VERSION, { groupsNames: [id] })).results.map((r) => [r.groupId, errorName(r.errorCode)]);
    expect(await deleteGroup(groupId)).toEqual([[groupId, 'NON_EMPTY_GROUP']]);
    const left = await conn.request(LeaveGroup, LEAVE_GROUP_VERSION, { groupId, members: [{ memberId, groupInstanceId: null, reason: 'test' }] });
    expect(left.members.map((m) => errorName(m.errorCode))).toEqual(['NONE']);
    expect(await deleteGroup(groupId)).toEqual([[groupId, 'NONE']]);
    const described = await conn.request(DescribeGroups, DESCRIBE_GROUPS_VERSION, { groups: [groupId], includeAuthorizedOperations: false });
    expect(described.groups.map((g) => [errorName(g.errorCode), g.groupState])).toEqual([['NONE', 'Dead']]);
    expect(await deleteGroup(groupId), 'deleted already').toEqual([[groupId, 'GROUP_ID_NOT_FOUND']]);
  });

  it('nonCoordinatorIsNotCoordinator: every group request to a broker that does not lead the group partition', async () => {
    const { groupId, coordinator } = await newGroup('elsewhere');
    const other = await connect(coordinator === 1 ? 2 : 1);
    expect(errorName((await joinGroup(other, groupId, topic)).errorCode), 'JoinGroup').toBe('NOT_COORDINATOR');
    expect(errorName((await syncGroup(other, groupId, 1, 'm')).errorCode), 'SyncGroup').toBe('NOT_COORDINATOR');
    expect(errorName(await heartbeat(other, groupId, 1, 'm')), 'Heartbeat').toBe('NOT_COORDINATOR');
    expect(errorName(await commitOffset(other, groupId, -1, '', topic, 1n)), 'OffsetCommit').toBe('NOT_COORDINATOR');
    const left = await other.request(LeaveGroup, LEAVE_GROUP_VERSION, { groupId, members: [{ memberId: 'm', groupInstanceId: null, reason: null }] });
    expect(errorName(left.errorCode), 'LeaveGroup').toBe('NOT_COORDINATOR');
    const fetched = await other.request(OffsetFetch, OFFSET_FETCH_VERSION, { groups: [{ groupId, memberId: null, memberEpoch: -1, topics: null }], requireStable: false });
    expect(
      fetched.groups.map((g) => errorName(g.errorCode)),
      'OffsetFetch',
    ).toEqual(['NOT_COORDINATOR']);
    const described = await other.request(DescribeGroups, DESCRIBE_GROUPS_VERSION, { groups: [groupId], includeAuthorizedOperations: false });
    expect(
      described.groups.map((g) => errorName(g.errorCode)),
      'DescribeGroups',
    ).toEqual(['NOT_COORDINATOR']);
    const deleted = await other.request(DeleteGroups, DELETE_GROUPS_VERSION, { groupsNames: [groupId] });
    expect(
      deleted.results.map((r) => errorName(r.errorCode)),
      'DeleteGroups',
    ).toEqual(['NOT_COORDINATOR']);
    expect(other.isClosed, 'errors are data: the connection stays open').toBe(false);
  });

  it('unknownMemberIdJoinIsUnknownMemberId: JoinGroup with a member id the group never gave', async () => {
    const { groupId, conn } = await newGroup('unknown-join');
    await stableGroupOfOne(conn, groupId, topic);
    expect(errorName((await joinGroup(conn, groupId, topic, { memberId: 'consumer-made-up' })).errorCode)).toBe('UNKNOWN_MEMBER_ID');
  });

  it('joinWithoutACommonProtocolIsInconsistentGroupProtocol: a member offering only an assignor no member has', async () => {
    const { groupId, conn, coordinator } = await newGroup('protocol');
    await stableGroupOfOne(conn, groupId, topic);
    const other = await connect(coordinator);
    let answer = await joinGroup(other, groupId, topic, { protocol: 'roundrobin' });
    if (answer.errorCode === ErrorCode.MEMBER_ID_REQUIRED) answer = await joinGroup(other, groupId, topic, { protocol: 'roundrobin', memberId: answer.memberId });
    expect(errorName(answer.errorCode)).toBe('INCONSISTENT_GROUP_PROTOCOL');
  });

  it('groupMaxSizeReached: a member beyond group.max.size is refused, the members in it stay', async () => {
    const { groupId, conn, coordinator } = await newGroup('max-size');
    const members = await Promise.all(Array.from({ length: GROUP_MAX_SIZE }, () => connect(coordinator)));
    const joined = await Promise.all(members.map((member) => joinAsNewMember(member, groupId, topic)));
    expect(new Set(joined.map((j) => j.generationId)).size, 'all joined one generation').toBe(1);
    const extra = await connect(coordinator);
    let answer = await joinGroup(extra, groupId, topic);
    if (answer.errorCode === ErrorCode.MEMBER_ID_REQUIRED) answer = await joinGroup(extra, groupId, topic, { memberId: answer.memberId });
    expect(errorName(answer.errorCode)).toBe('GROUP_MAX_SIZE_REACHED');
    const described = await conn.request(DescribeGroups, DESCRIBE_GROUPS_VERSION, { groups: [groupId], includeAuthorizedOperations: false });
    expect(described.groups[0]?.members.map((m) => m.memberId).sort()).toEqual(joined.map((j) => j.memberId).sort());
  });

  it('offsetDeleteOfASubscribedTopicIsGroupSubscribedToTopic: refused while a member subscribes to it, deleted once the group is Empty', async () => {
    const { groupId, conn } = await newGroup('offset-delete');
    const { memberId, generationId } = await stableGroupOfOne(conn, groupId, topic);
    expect(errorName(await commitOffset(conn, groupId, generationId, memberId, topic, 6n))).toBe('NONE');
    const deleteOffset = async () =>
      (await conn.request(OffsetDelete, 0, { groupId, topics: [{ name: topic, partitions: [{ partitionIndex: 0 }] }] })).topics.flatMap((t) =>
        t.partitions.map((p) => errorName(p.errorCode)),
      );
    expect(await deleteOffset()).toEqual(['GROUP_SUBSCRIBED_TO_TOPIC']);
    await conn.request(LeaveGroup, LEAVE_GROUP_VERSION, { groupId, members: [{ memberId, groupInstanceId: null, reason: null }] });
    expect(await deleteOffset(), 'once the group is Empty').toEqual(['NONE']);
    const fetched = await conn.request(OffsetFetch, OFFSET_FETCH_VERSION, {
      groups: [{ groupId, memberId: null, memberEpoch: -1, topics: [{ name: topic, partitionIndexes: [0] }] }],
      requireStable: false,
    });
    expect(
      fetched.groups[0]?.topics[0]?.partitions.map((p) => [p.partitionIndex, p.committedOffset]),
      'no offset left',
    ).toEqual([[0, -1n]]);
  });
});
