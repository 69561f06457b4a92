// One round of joining the group: JoinGroup (again with the member id the
// coordinator requires, KIP-394), the leader's assignment of every member if
// this member leads, SyncGroup, and the partitions this member was given.
import { ErrorCode } from '@kstream/protocol';
import type { ClusterClient } from '../../cluster/index.js';
import { KafkaClientError, KafkaProtocolError } from '../../errors/index.js';
import type { Assignor, TopicPartition } from '../assignors/assignor.js';
import { assignedPartitions, joinProtocols, leaderAssignments } from './consumer-protocol.js';
import { joinGroup, rebalanceRequestTimeoutMs, syncGroup } from './group-requests.js';

export interface JoinRequest {
  groupId: string;
  groupInstanceId: string | null;
  memberId: string;
  /** The generation `owned` was assigned in. */
  generationId: number;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  assignors: readonly Assignor[];
  topics: readonly string[];
  /** Sent as ownedPartitions: a cooperative member's current partitions, nothing from an eager one. */
  owned: readonly TopicPartition[];
  reason: string;
}

export interface Joined {
  generationId: number;
  memberId: string;
  protocolName: string;
  leader: string;
  assigned: TopicPartition[];
  /** The leader's partition count of every topic of the group (0: missing), to notice changes; null for a follower. */
  leaderPartitionCounts: ReadonlyMap<string, number> | null;
}

/**
 * Kafka error codes are thrown as KafkaProtocolError. `onMemberId` hears the
 * member id as soon as the coordinator names one, so a failure after it is
 * retried with that id.
 */
export async function joinAndSync(cluster: ClusterClient, request: JoinRequest, onMemberId: (memberId: string) => void): Promise<Joined> {
  const timeoutMs = rebalanceRequestTimeoutMs(cluster.options.requestTimeoutMs, request.rebalanceTimeoutMs);
  const protocols = joinProtocols(request.assignors, request.topics, request.owned, request.generationId);
  const coordinator = await cluster.coordinator('group', request.groupId);
  let member = { groupId: request.groupId, memberId: request.memberId, groupInstanceId: request.groupInstanceId };
  const join = () =>
    joinGroup(coordinator, member, { sessionTimeoutMs: request.sessionTimeoutMs, rebalanceTimeoutMs: request.rebalanceTimeoutMs, protocols, reason: request.reason, timeoutMs });
  let response = await join();
  if (response.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
    member = { ...member, memberId: response.memberId };
    onMemberId(response.memberId);
    response = await join();
    if (response.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      throw new KafkaProtocolError(response.errorCode, { api: 'JoinGroup', broker: coordinator.label, groupId: request.groupId });
    }
  }
  member = { ...member, memberId: response.memberId };
  onMemberId(response.memberId);
  const protocolName = response.protocolName ?? '';
  const assignor = assignorNamed(request, protocolName);

  let assignments: { memberId: string; assignment: Buffer }[] = [];
  let leaderPartitionCounts: Map<string, number> | null = null;
  // KIP-814: a restarted static leader is told to skip the assignment; the group keeps the one it has.
  if (response.leader === response.memberId && !response.skipAssignment) {
    let groupTopics: readonly string[] = [];
    const result = await leaderAssignments(assignor, response.members, (topics) => {
      groupTopics = topics;
      return partitionCounts(cluster, topics);
    });
    assignments = result.assignments;
    // A topic missing now counts as 0 partitions: its creation needs a new assignment too.
    leaderPartitionCounts = new Map(groupTopics.map((topic) => [topic, result.partitionsPerTopic.get(topic) ?? 0]));
  }
  const payload = await syncGroup(coordinator, member, response.generationId, protocolName, assignments, timeoutMs);
  return {
    generationId: response.generationId,
    memberId: response.memberId,
    protocolName,
    leader: response.leader,
    assigned: assignedPartitions(payload),
    leaderPartitionCounts,
  };
}

function assignorNamed(request: JoinRequest, name: string): Assignor {
  const assignor = request.assignors.find((a) => a.name === name);
  if (assignor === undefined) {
    throw new KafkaClientError(
      `group ${request.groupId} chose protocol ${name || '(none)'}, which this member does not offer (${request.assignors.map((a) => a.name).join(', ')})`,
      { retriable: false },
    );
  }
  return assignor;
}

/** Partition counts of the topics that exist, from fresh metadata. */
async function partitionCounts(cluster: ClusterClient, topics: readonly string[]): Promise<ReadonlyMap<string, number>> {
  const metadata = topics.length === 0 ? cluster.metadata : await cluster.refreshMetadata(topics);
  const counts = new Map<string, number>();
  for (const topic of topics) {
    const known = metadata.topics.get(topic);
    if (known !== undefined && known.errorCode === 0 && known.partitions.length > 0) counts.set(topic, known.partitions.length);
  }
  return counts;
}
