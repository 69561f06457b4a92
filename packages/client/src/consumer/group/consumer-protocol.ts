// The "consumer" protocol type's payloads in JoinGroup and SyncGroup, and the
// leader's part: decode every member's subscription, run the chosen
// assignor, encode each member's assignment.
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '@kstream/protocol';
import { KafkaClientError } from '../../errors/index.js';
import { type Assignor, type MemberSubscription, type TopicPartition, compareStrings } from '../assignors/assignor.js';

export const PROTOCOL_TYPE = 'consumer';

/** Kafka 3's ConsumerProtocolSubscription version: ownedPartitions (v1), generationId (v2), rackId (v3). */
const SUBSCRIPTION_VERSION = 3;
const NEWEST_ASSIGNMENT_VERSION = 3;

/** One JoinGroup protocol per assignor, in preference order, each carrying the same subscription. */
export function joinProtocols(
  assignors: readonly Assignor[],
  topics: readonly string[],
  owned: readonly TopicPartition[],
  generationId: number,
): { name: string; metadata: Buffer }[] {
  const metadata = encodeSubscription(
    { topics: [...topics].sort(compareStrings), userData: null, ownedPartitions: groupByTopic(owned), generationId, rackId: null },
    SUBSCRIPTION_VERSION,
  );
  return assignors.map((assignor) => ({ name: assignor.name, metadata }));
}

export interface JoinedMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

/**
 * The leader's assignment of every member, encoded for SyncGroup, at the
 * oldest subscription version among the members (as Kafka's leader does, so
 * every member can read its own).
 */
export async function leaderAssignments(
  assignor: Assignor,
  members: readonly JoinedMember[],
  partitionCounts: (topics: readonly string[]) => Promise<ReadonlyMap<string, number>>,
): Promise<{ assignments: { memberId: string; assignment: Buffer }[]; partitionsPerTopic: ReadonlyMap<string, number> }> {
  let version = NEWEST_ASSIGNMENT_VERSION;
  const subscriptions: MemberSubscription[] = members.map((member) => {
    const subscription = decodeMemberSubscription(member);
    version = Math.min(version, subscription.version);
    return {
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      topics: subscription.topics,
      ownedPartitions: subscription.ownedPartitions.flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition }))),
      generationId: subscription.generationId,
      userData: subscription.userData,
    };
  });
  const partitionsPerTopic = await partitionCounts([...new Set(subscriptions.flatMap((s) => s.topics))]);
  const assigned = assignor.assign(subscriptions, partitionsPerTopic);
  const assignments = members.map(({ memberId }) => ({
    memberId,
    assignment: encodeAssignment({ assignedPartitions: groupByTopic(assigned.get(memberId) ?? []), userData: null }, Math.max(0, version)),
  }));
  return { assignments, partitionsPerTopic };
}

function decodeMemberSubscription(member: JoinedMember): ReturnType<typeof decodeSubscription> {
  try {
    return decodeSubscription(member.metadata);
  } catch (error) {
    throw new KafkaClientError(`the subscription of group member ${member.memberId} cannot be read: ${(error as Error).message}`, { retriable: false, cause: error });
  }
}

/** A SyncGroup answer's partitions; empty bytes are no assignment (a member the leader left out). */
export function assignedPartitions(payload: Buffer): TopicPartition[] {
  if (payload.length === 0) return [];
  return decodeAssignment(payload).assignedPartitions.flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition })));
}

export function groupByTopic(partitions: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = byTopic.get(topic) ?? [];
    list.push(partition);
    byTopic.set(topic, list);
  }
  return [...byTopic].map(([topic, list]) => ({ topic, partitions: list.sort((a, b) => a - b) }));
}
