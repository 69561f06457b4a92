// The group coordinator's timers on a real 3-broker node (issue 11), seen
// from raw requests: a member that stops heartbeating is removed once its
// session timeout passes (and one that heartbeats stays however long it
// runs); a rebalance completes without a member that did not rejoin within
// the group's rebalance timeout.
import { DescribeGroups } from '@kstream/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { GROUP_CONFIGS, servingCoordinator } from './groups.test-support.js';
import { errorName, RawConnection } from './raw-connection.test-support.js';
import { DESCRIBE_GROUPS_VERSION, heartbeat, joinAsNewMember, joinGroup, stableGroupOfOne } from './raw-group-requests.test-support.js';

const SESSION_TIMEOUT_MS = 1_000;
const REBALANCE_TIMEOUT_MS = 1_500;
/** How late a timer may fire on a loaded 2-core machine and still count as on time. */
const LATE_MS = 1_500;

describe('group coordinator timers', () => {
  let node: CompatCluster;
  let topic: string;
  const connections: RawConnection[] = [];

  beforeAll(async () => {
    node = await CompatCluster.start('group-timeouts', GROUP_CONFIGS);
    topic = topicName('timeouts');
    const admin = await node.admin();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  });

  afterAll(async () => {
    for (const conn of connections) conn.close();
    await node?.stop();
  });

  /** A new group id, and connections to its coordinator once it serves the group. */
  async function newGroup(prefix: string): Promise<{ groupId: string; connect: () => Promise<RawConnection> }> {
    const groupId = topicName(prefix);
    const coordinator = await servingCoordinator(node, groupId);
    const connect = async (): Promise<RawConnection> => {
      const conn = await RawConnection.open(node.port(coordinator));
      connections.push(conn);
      return conn;
    };
    return { groupId, connect };
  }

  async function describeGroup(conn: RawConnection, groupId: string) {
    const response = await conn.request(DescribeGroups, DESCRIBE_GROUPS_VERSION, { groups: [groupId], includeAuthorizedOperations: false });
    const group = response.groups[0]!;
    return { state: group.groupState, members: group.members.map((m) => m.memberId) };
  }

  it('silentMemberRemovedAfterSessionTimeout: the group is Empty a session timeout after its last heartbeat; the member is then unknown', async () => {
    const { groupId, connect } = await newGroup('session');
    const conn = await connect();
    const member = await stableGroupOfOne(conn, groupId, topic, { sessionTimeoutMs: SESSION_TIMEOUT_MS });
    expect(errorName(await heartbeat(conn, groupId, member.generationId, member.memberId))).toBe('NONE');
    const lastHeartbeat = Date.now();

    await expect.poll(async () => (await describeGroup(conn, groupId)).state, { timeout: SESSION_TIMEOUT_MS + LATE_MS, interval: 50 }).toBe('Empty');
    expect(Date.now() - lastHeartbeat, 'not removed before its session timeout').toBeGreaterThanOrEqual(SESSION_TIMEOUT_MS - 50);
    expect(errorName(await heartbeat(conn, groupId, member.generationId, member.memberId))).toBe('UNKNOWN_MEMBER_ID');
  });

  it('heartbeatingMemberOutlivesItsSessionTimeout: heartbeats every 300 ms keep it Stable for three session timeouts', async () => {
    const { groupId, connect } = await newGroup('alive');
    const conn = await connect();
    const member = await stableGroupOfOne(conn, groupId, topic, { sessionTimeoutMs: SESSION_TIMEOUT_MS });
    for (const until = Date.now() + 3 * SESSION_TIMEOUT_MS; Date.now() < until; ) {
      expect(errorName(await heartbeat(conn, groupId, member.generationId, member.memberId))).toBe('NONE');
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(await describeGroup(conn, groupId)).toEqual({ state: 'Stable', members: [member.memberId] });
  });

  it('rebalanceCompletesWithoutAMemberThatDidNotRejoin: after the rebalance timeout the joined member alone forms the next generation', async () => {
    const { groupId, connect } = await newGroup('rebalance-timeout');
    const [silentConn, joinerConn] = [await connect(), await connect()];
    // A long session: only the rebalance timeout can drop the silent member.
    const timeouts = { sessionTimeoutMs: 30_000, rebalanceTimeoutMs: REBALANCE_TIMEOUT_MS };
    const silent = await stableGroupOfOne(silentConn, groupId, topic, timeouts);

    const started = Date.now();
    const joined = await joinAsNewMember(joinerConn, groupId, topic, timeouts);
    const waited = Date.now() - started;
    expect([joined.generationId, joined.leader, joined.members.map((m) => m.memberId)], 'the next generation, led by the joiner alone').toEqual([
      silent.generationId + 1,
      joined.memberId,
      [joined.memberId],
    ]);
    expect(waited, 'the join waited for the silent member up to the rebalance timeout').toBeGreaterThanOrEqual(REBALANCE_TIMEOUT_MS - 50);
    expect(waited).toBeLessThan(REBALANCE_TIMEOUT_MS + LATE_MS);
    expect(errorName(await heartbeat(silentConn, groupId, silent.generationId, silent.memberId)), 'the silent member was removed').toBe('UNKNOWN_MEMBER_ID');
    expect(errorName((await joinGroup(silentConn, groupId, topic, { ...timeouts, memberId: silent.memberId })).errorCode)).toBe('UNKNOWN_MEMBER_ID');
  });
});
