// Group membership and offset requests on a RawConnection, at fixed versions
// (the newest classic-protocol ones, flexible: kafkajs never sends those), so
// a test sees exactly the error code the coordinator answers. A member here
// is a consumer ("consumer" protocol type, one assignor protocol, "range"
// unless told, subscribing to one topic) driven by hand.
import { DescribeGroups, encodeAssignment, encodeSubscription, ErrorCode, Heartbeat, JoinGroup, OffsetCommit, SyncGroup } from '@kstream/protocol';
import type { ResponseOf } from '@kstream/protocol';
import { errorName } from './raw-connection.test-support.js';
import type { RawConnection } from './raw-connection.test-support.js';

export const JOIN_GROUP_VERSION = 9;
export const SYNC_GROUP_VERSION = 5;
export const HEARTBEAT_VERSION = 4;
export const LEAVE_GROUP_VERSION = 5;
export const OFFSET_COMMIT_VERSION = 8;
export const OFFSET_FETCH_VERSION = 8;
export const DESCRIBE_GROUPS_VERSION = 5;
export const DELETE_GROUPS_VERSION = 2;

/**
 * Polls DescribeGroups of `groupId` on `conn` until its coordinator serves it: right after
 * __consumer_offsets is created, or a leadership moved, the broker FindCoordinator names answers
 * NOT_COORDINATOR until it applied its election, then COORDINATOR_LOAD_IN_PROGRESS while it loads.
 */
export async function waitForCoordinatorReady(conn: RawConnection, groupId: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await conn.request(DescribeGroups, DESCRIBE_GROUPS_VERSION, { groups: [groupId], includeAuthorizedOperations: false });
    const code = response.groups[0]?.errorCode;
    if (code === ErrorCode.NONE) return;
    if (code !== ErrorCode.NOT_COORDINATOR && code !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) {
      throw new Error(`DescribeGroups v${DESCRIBE_GROUPS_VERSION} of ${groupId}: ${code === undefined ? 'no entry for the group' : errorName(code)}`);
    }
    if (Date.now() > deadline) throw new Error(`group ${groupId}'s coordinator still answers ${errorName(code)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export type JoinGroupResponse = ResponseOf<typeof JoinGroup>;

export interface JoinOptions {
  readonly memberId?: string;
  readonly groupInstanceId?: string | null;
  readonly sessionTimeoutMs?: number;
  /** How long the coordinator waits for the members to rejoin in a rebalance (the group's is the largest of its members'). */
  readonly rebalanceTimeoutMs?: number;
  readonly version?: number;
  /** The one assignor protocol the member offers ("range" when not given). */
  readonly protocol?: string;
}

/** One JoinGroup of a consumer subscribing to `topic` (it waits, as the coordinator parks it, for the rebalance to complete). */
export function joinGroup(conn: RawConnection, groupId: string, topic: string, options: JoinOptions = {}): Promise<JoinGroupResponse> {
  const { memberId = '', groupInstanceId = null, sessionTimeoutMs = 10_000, rebalanceTimeoutMs = 10_000, version = JOIN_GROUP_VERSION, protocol = 'range' } = options;
  return conn.request(JoinGroup, version, {
    groupId,
    sessionTimeoutMs,
    rebalanceTimeoutMs,
    memberId,
    groupInstanceId,
    protocolType: 'consumer',
    protocols: [{ name: protocol, metadata: encodeSubscription({ topics: [topic], userData: null, ownedPartitions: [], generationId: -1, rackId: null }, 0) }],
    reason: null,
  });
}

/** Joins as a new member: a dynamic one first gets MEMBER_ID_REQUIRED with its id (JoinGroup v4+), then joins with it. Fails unless the join succeeds. */
export async function joinAsNewMember(conn: RawConnection, groupId: string, topic: string, options: JoinOptions = {}): Promise<JoinGroupResponse> {
  let answer = await joinGroup(conn, groupId, topic, options);
  if (answer.errorCode === ErrorCode.MEMBER_ID_REQUIRED) answer = await joinGroup(conn, groupId, topic, { ...options, memberId: answer.memberId });
  return expectNone(`JoinGroup of a new member to ${groupId}`, answer);
}

/** SyncGroup; the leader (`assignTo` given) gives every partition of `topic` below `partitions` to member `assignTo`. */
export function syncGroup(
  conn: RawConnection,
  groupId: string,
  generationId: number,
  memberId: string,
  { assignTo, topic = '', partitions = 0, groupInstanceId = null }: { assignTo?: string; topic?: string; partitions?: number; groupInstanceId?: string | null } = {},
): Promise<ResponseOf<typeof SyncGroup>> {
  const assignment = encodeAssignment({ assignedPartitions: [{ topic, partitions: Array.from({ length: partitions }, (_, p) => p) }], userData: null }, 0);
  return conn.request(SyncGroup, SYNC_GROUP_VERSION, {
    groupId,
    generationId,
    memberId,
    groupInstanceId,
    protocolType: 'consumer',
    protocolName: 'range',
    assignments: assignTo === undefined ? [] : [{ memberId: assignTo, assignment }],
  });
}

export async function heartbeat(conn: RawConnection, groupId: string, generationId: number, memberId: string, groupInstanceId: string | null = null): Promise<number> {
  return (await conn.request(Heartbeat, HEARTBEAT_VERSION, { groupId, generationId, memberId, groupInstanceId })).errorCode;
}

/** OffsetCommit of `offset` for `topic`-0; the partition's error code. */
export async function commitOffset(
  conn: RawConnection,
  groupId: string,
  generationId: number,
  memberId: string,
  topic: string,
  offset: bigint,
  groupInstanceId: string | null = null,
): Promise<number> {
  const response = await conn.request(OffsetCommit, OFFSET_COMMIT_VERSION, {
    groupId,
    generationIdOrMemberEpoch: generationId,
    memberId,
    groupInstanceId,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }],
  });
  const answer = response.topics[0]?.partitions[0];
  if (answer === undefined) throw new Error(`OffsetCommit v${OFFSET_COMMIT_VERSION} of ${topic}-0 for group ${groupId}: no answer for the partition`);
  return answer.errorCode;
}

/** A stable group of one: `memberId` joined generation `generationId` as leader and synced `topic`'s partition 0 to itself. */
export interface StableMember {
  readonly memberId: string;
  readonly generationId: number;
}

export async function stableGroupOfOne(conn: RawConnection, groupId: string, topic: string, options: JoinOptions = {}): Promise<StableMember> {
  const joined = await joinAsNewMember(conn, groupId, topic, options);
  if (joined.leader !== joined.memberId) throw new Error(`group ${groupId}: its only member ${joined.memberId} is not the leader (${joined.leader})`);
  expectNone(
    `SyncGroup of ${groupId}'s leader`,
    await syncGroup(conn, groupId, joined.generationId, joined.memberId, { assignTo: joined.memberId, topic, partitions: 1, groupInstanceId: options.groupInstanceId ?? null }),
  );
  return { memberId: joined.memberId, generationId: joined.generationId };
}

function expectNone<R extends { readonly errorCode: number }>(what: string, answer: R): R {
  if (answer.errorCode !== ErrorCode.NONE) throw new Error(`${what}: ${errorName(answer.errorCode)}`);
  return answer;
}
