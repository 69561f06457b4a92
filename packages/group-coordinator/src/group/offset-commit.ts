import { ErrorCode, type OffsetCommit, type RequestOf, type ResponseOf } from '@kstream/protocol';
import type { CoordinatorRecord, OffsetAndMetadata } from '../records/index.js';
import { ClassicGroup } from './classic-group.js';
import type { CoordinatorShard } from './coordinator-shard.js';
import type { GroupCoordinatorConfig, GroupRequestContext } from './coordinator-types.js';
import { coordinatorWriteError } from './write-errors.js';

// OffsetCommit v0–9
// - A member commits with its generation and member id (and group.instance.id
//   from v7); a commit without them (generation -1, empty member id: v0, simple
//   consumers, admin tools) is accepted only while the group has no members,
//   and creates an Empty group without protocol type when there is none.
// - During CompletingRebalance a member's commit gets REBALANCE_IN_PROGRESS;
//   during PreparingRebalance a current-generation member may still commit.
// - A member's accepted commit extends its session as a heartbeat does (Stable
//   and PreparingRebalance), whether or not its write then succeeds.
// - A topic the cluster does not have is UNKNOWN_TOPIC_OR_PARTITION, as
//   Kafka's KafkaApis answers before the coordinator.
// - All accepted partitions go in one batch; each is readable by OffsetFetch
//   once that batch is written (acks=all), and none is when it fails.

type Request = RequestOf<typeof OffsetCommit>;
type Response = ResponseOf<typeof OffsetCommit>;

export interface OffsetCommitDeps {
  readonly config: () => GroupCoordinatorConfig;
  readonly clock: () => number;
  /** Whether the cluster has the topic; a commit to one it has not is UNKNOWN_TOPIC_OR_PARTITION. Unset: every topic is known. */
  readonly topicExists?: (topic: string) => boolean;
  /** An accepted commit of `memberId` (possibly '': no member) extends its session while the group is Stable or PreparingRebalance. */
  readonly onMemberCommitted: (group: ClassicGroup, memberId: string) => void;
}

/** The response giving every partition of `request` the same error. */
export function offsetCommitError(request: Request, errorCode: number): Response {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => ({ partitionIndex: partition.partitionIndex, errorCode })),
    })),
  };
}

export async function commitOffsets(shard: CoordinatorShard, request: Request, context: GroupRequestContext, deps: OffsetCommitDeps): Promise<Response> {
  const group = shard.groups.get(request.groupId);
  const groupError = validateOffsetCommit(group, request, context.apiVersion);
  if (groupError !== ErrorCode.NONE) return offsetCommitError(request, groupError);
  if (group !== undefined) deps.onMemberCommitted(group, request.memberId);

  const groupId = request.groupId;
  const now = deps.clock();
  const maxMetadata = deps.config().offsetMetadataMaxBytes;
  const expireTimestamp = request.retentionTimeMs === -1n ? -1n : BigInt(now) + request.retentionTimeMs;
  const commits: { readonly topic: string; readonly partition: number; readonly value: OffsetAndMetadata }[] = [];
  const response = offsetCommitError(request, ErrorCode.NONE);
  request.topics.forEach((topic, t) => {
    const known = deps.topicExists?.(topic.name) ?? true;
    topic.partitions.forEach((partition, p) => {
      const metadata = partition.committedMetadata ?? '';
      if (!known || metadata.length > maxMetadata) {
        response.topics[t]!.partitions[p]!.errorCode = known ? ErrorCode.OFFSET_METADATA_TOO_LARGE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        return;
      }
      const value: OffsetAndMetadata = {
        offset: partition.committedOffset,
        leaderEpoch: partition.committedLeaderEpoch,
        metadata,
        commitTimestamp: partition.commitTimestamp === -1n ? BigInt(now) : partition.commitTimestamp,
        expireTimestamp,
      };
      commits.push({ topic: topic.name, partition: partition.partitionIndex, value });
    });
  });
  if (commits.length === 0) return response;

  const records = commits.map(({ topic, partition, value }): CoordinatorRecord => ({ type: 'offset', key: { group: groupId, topic, partition }, value }));
  for (const { topic, partition } of commits) shard.pendingCommits.add(groupId, topic, partition);
  let written: number;
  try {
    written = await shard.write(records, (firstRecordOffset) => {
      if (!shard.groups.has(groupId)) shard.groups.set(groupId, new ClassicGroup(groupId, deps.clock()));
      commits.forEach(({ topic, partition, value }, i) => {
        shard.offsets.set(groupId, topic, partition, { ...value, recordOffset: firstRecordOffset + BigInt(i) });
      });
    });
  } finally {
    for (const { topic, partition } of commits) shard.pendingCommits.remove(groupId, topic, partition);
  }
  if (written === ErrorCode.NONE) return response;
  const errorCode = coordinatorWriteError(written, true);
  for (const topic of response.topics) {
    for (const partition of topic.partitions) if (partition.errorCode === ErrorCode.NONE) partition.errorCode = errorCode;
  }
  return response;
}

/** Kafka's checks of a commit against its group (ClassicGroup.validateOffsetCommit); NONE when it may commit. */
function validateOffsetCommit(group: ClassicGroup | undefined, request: Request, apiVersion: number): number {
  const generation = request.generationIdOrMemberEpoch;
  if (group === undefined) {
    if (generation < 0) return ErrorCode.NONE;
    // v9 says what happened; older versions keep the error their clients know.
    return apiVersion >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION;
  }
  if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (generation < 0 && group.state === 'Empty') return ErrorCode.NONE;
  if (generation >= 0 || request.memberId !== '' || request.groupInstanceId !== null) {
    const memberError = validateMember(group, request.memberId, request.groupInstanceId);
    if (memberError !== ErrorCode.NONE) return memberError;
    if (generation !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  } else if (group.state !== 'Empty') {
    return ErrorCode.UNKNOWN_MEMBER_ID;
  }
  // The member has this generation's JoinGroup answer but not its assignment yet.
  if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
  return ErrorCode.NONE;
}

/** Kafka's validateMember: the member (or static instance) must be the group's current one. */
export function validateMember(group: ClassicGroup, memberId: string, groupInstanceId: string | null): number {
  if (groupInstanceId !== null) {
    const current = group.memberIdOfInstance(groupInstanceId);
    if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (current !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
  }
  return group.hasMember(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
}
