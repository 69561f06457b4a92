// AlterPartition (KIP-497): a partition's leader asks to shrink its ISR by
// followers that fell behind or expand it by one that caught up. Checked as
// Kafka's ReplicationControlManager does, against the asking incarnation,
// its leadership and both epochs; an accepted change keeps the leader epoch
// and bumps the partition epoch.
import { ErrorCode } from '@kstream/protocol';
import { LoopTurns, partitionStateOf } from '@kstream/metadata';
import type { AlterPartitionItem, AlterPartitionRequest, AlterPartitionResult, PartitionState } from '@kstream/metadata';
import { completedReassignment } from './controller-reassignments.js';
import { assignmentChange } from './partition-elections.js';
import type { ElectionContext, PartitionChange } from './partition-elections.js';

export interface AlterPartitionDecision {
  /** STALE_BROKER_EPOCH for the whole request, or NONE. */
  readonly errorCode: number;
  readonly changes: readonly PartitionChange[];
  readonly partitions: readonly AlterPartitionResult[];
}

/**
 * Decides an AlterPartition request, in turns: a leader whose follower died
 * shrinks the ISR of every partition they share in one request. The leader
 * itself is not checked for eligibility (it is the asker): a leader in
 * controlled shutdown that could not hand its leadership over may still let
 * a caught-up follower in.
 */
export async function alterPartition(context: ElectionContext, request: AlterPartitionRequest): Promise<AlterPartitionDecision> {
  const registration = context.state.broker(request.brokerId);
  if (registration === undefined || registration.brokerEpoch !== request.brokerEpoch) {
    return { errorCode: ErrorCode.STALE_BROKER_EPOCH, changes: [], partitions: [] };
  }
  // A partition named twice is decided against the first item's outcome.
  const decided = new Map<string, PartitionState>();
  const changes: PartitionChange[] = [];
  const turns = new LoopTurns();
  const partitions: AlterPartitionResult[] = [];
  for (const item of request.partitions) {
    if (turns.due) await turns.next();
    partitions.push(decideItem(context, request.brokerId, item, decided, changes));
  }
  return { errorCode: ErrorCode.NONE, changes, partitions };
}

function decideItem(context: ElectionContext, brokerId: number, item: AlterPartitionItem, decided: Map<string, PartitionState>, changes: PartitionChange[]): AlterPartitionResult {
  const topic = context.state.topicById(item.topicId);
  const key = `${item.topicId}:${item.partition}`;
  const current = decided.get(key) ?? topic?.partitions[item.partition];
  if (topic === undefined || current === undefined) {
    return { topicId: item.topicId, partition: item.partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, leader: -1, leaderEpoch: -1, isr: [], partitionEpoch: -1 };
  }
  const errorCode = refusal(context, brokerId, current, item);
  if (errorCode !== ErrorCode.NONE) return result(item, errorCode, current);
  // The ISR that takes in the last adding replica completes its partition's reassignment in the same record.
  const proposed = { ...current, isr: item.newIsr };
  const change = assignmentChange(topic, current, completedReassignment(context, proposed) ?? proposed);
  if (change === undefined) return result(item, ErrorCode.NONE, current);
  changes.push(change);
  const after = partitionStateOf(change.record);
  decided.set(key, after);
  return result(item, ErrorCode.NONE, after);
}

function refusal(context: ElectionContext, brokerId: number, current: PartitionState, item: AlterPartitionItem): number {
  if (current.leader !== brokerId) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  if (item.leaderEpoch !== current.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (item.partitionEpoch !== current.partitionEpoch) return ErrorCode.INVALID_UPDATE_VERSION;
  const newIsr = item.newIsr;
  if (!newIsr.includes(brokerId) || new Set(newIsr).size !== newIsr.length || !newIsr.every((r) => current.replicas.includes(r))) {
    return ErrorCode.INVALID_REQUEST;
  }
  if (newIsr.some((r) => r !== brokerId && !context.isEligible(r))) return ErrorCode.INELIGIBLE_REPLICA;
  return ErrorCode.NONE;
}

function result(item: AlterPartitionItem, errorCode: number, state: PartitionState): AlterPartitionResult {
  const { leader, leaderEpoch, isr, partitionEpoch } = state;
  return { topicId: item.topicId, partition: item.partition, errorCode, leader, leaderEpoch, isr, partitionEpoch };
}
