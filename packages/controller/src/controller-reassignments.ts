// Partition reassignment (KIP-455), decided as KRaft's controller does it.
// A target T puts the partition in an ongoing reassignment: replicas = T
// followed by the current replicas not in T, adding = T minus the original
// replicas, removing = the current replicas not in T. Brokers follow the
// partition as soon as they are among its replicas, and its leader lets them
// into the ISR (AlterPartition) once they have caught up. When every adding
// replica is in the ISR the reassignment completes: replicas = T, ISR = ISR
// ∩ T, and a leader outside T hands over to the first eligible replica of T
// in the ISR. The removed replicas, no longer listed, delete their copies.
// Null replicas cancel: back to the replicas before the reassignment, in
// the order the ongoing one lists them (KRaft's revert: the original order
// is not recorded).
import { ErrorCode } from '@kstream/protocol';
import { LoopTurns, partitionStateOf } from '@kstream/metadata';
import type {
  AlterPartitionReassignmentsRequest,
  ListPartitionReassignmentsRequest,
  MetadataState,
  OngoingTopicReassignment,
  PartitionState,
  ReassignablePartitionResult,
  ReassignableTopicResult,
  TopicMetadata,
} from '@kstream/metadata';
import { assignmentChange, electLeader, partitionName, sameList } from './partition-elections.js';
import type { Assignment, ElectionContext, PartitionChange } from './partition-elections.js';

export interface ReassignmentsDecision {
  readonly changes: readonly PartitionChange[];
  readonly results: ReassignableTopicResult[];
}

/** Decides an AlterPartitionReassignments request, in turns as the other admin requests are. */
export async function alterPartitionReassignments(context: ElectionContext, request: AlterPartitionReassignmentsRequest): Promise<ReassignmentsDecision> {
  const turns = new LoopTurns();
  // A partition named twice is decided against the first entry's outcome; the batch holds one record per change.
  const decided = new Map<string, PartitionChange>();
  const results: ReassignableTopicResult[] = [];
  for (const { name, partitions } of request.topics) {
    const topic = context.state.topicByName(name);
    const partitionResults: ReassignablePartitionResult[] = [];
    for (const { partition, replicas } of partitions) {
      if (turns.due) await turns.next();
      const key = `${name}:${partition}`;
      const current = topic?.partitions[partition];
      const outcome =
        topic === undefined || current === undefined
          ? refused(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such partition as ${partitionName(name, partition)}.`)
          : reassign(context, topic, current, stateAfter(decided.get(key)) ?? current, replicas);
      if ('change' in outcome) {
        if (outcome.change === undefined) decided.delete(key);
        else decided.set(key, outcome.change);
        partitionResults.push({ partition, errorCode: ErrorCode.NONE, errorMessage: null });
      } else {
        partitionResults.push({ partition, ...outcome });
      }
    }
    results.push({ name, partitions: partitionResults });
  }
  return { changes: [...decided.values()], results };
}

/**
 * `assignment` with its reassignment completed, or undefined when none is
 * ongoing or it cannot complete yet: an adding replica is not in the ISR, or
 * no member of the ISR is among the target replicas.
 */
export function completedReassignment(context: ElectionContext, assignment: Assignment): Assignment | undefined {
  const { replicas, isr, leader, addingReplicas, removingReplicas } = assignment;
  if (addingReplicas.length === 0 && removingReplicas.length === 0) return undefined;
  if (!addingReplicas.every((r) => isr.includes(r))) return undefined;
  const target = replicas.filter((r) => !removingReplicas.includes(r));
  const targetIsr = isr.filter((r) => target.includes(r));
  if (targetIsr.length === 0) return undefined;
  const newLeader = targetIsr.includes(leader) ? leader : electLeader(target, targetIsr, context.isEligible, false).leader;
  return { replicas: target, isr: targetIsr, leader: newLeader, addingReplicas: [], removingReplicas: [] };
}

/** The ongoing reassignments of every partition, or of those named (unknown ones left out, as in Kafka). */
export function listPartitionReassignments(state: MetadataState, request: ListPartitionReassignmentsRequest): OngoingTopicReassignment[] {
  const named = request.topics ?? [...state.topics.values()].map((t) => ({ name: t.name, partitions: t.partitions.map((p) => p.partition) }));
  const topics: OngoingTopicReassignment[] = [];
  for (const { name, partitions } of named) {
    const topic = state.topicByName(name);
    const ongoing = [...new Set(partitions)]
      .map((index) => topic?.partitions[index])
      .filter((p): p is PartitionState => p !== undefined && isReassigning(p))
      .map(({ partition, replicas, addingReplicas, removingReplicas }) => ({ partition, replicas, addingReplicas, removingReplicas }));
    if (ongoing.length > 0) topics.push({ name, partitions: ongoing });
  }
  return topics;
}

function stateAfter(change: PartitionChange | undefined): PartitionState | undefined {
  return change === undefined ? undefined : partitionStateOf(change.record);
}

function isReassigning(partition: Assignment): boolean {
  return partition.addingReplicas.length > 0 || partition.removingReplicas.length > 0;
}

type Outcome = { readonly change: PartitionChange | undefined } | { readonly errorCode: number; readonly errorMessage: string };

function refused(errorCode: number, errorMessage: string): Outcome {
  return { errorCode, errorMessage };
}

/** `current` is the partition as this request left it so far; `before` as the metadata holds it, which the record replaces. */
function reassign(context: ElectionContext, topic: TopicMetadata, before: PartitionState, current: Assignment, target: readonly number[] | null): Outcome {
  const which = partitionName(topic.name, before.partition);
  const original = current.replicas.filter((r) => !current.addingReplicas.includes(r));
  if (target === null) {
    if (!isReassigning(current)) return refused(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, `No reassignment of ${which} is in progress.`);
    const isr = current.isr.filter((r) => original.includes(r));
    if (isr.length === 0) {
      return refused(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Cannot cancel the reassignment of ${which}: none of its original replicas (${original.join(', ')}) is in its ISR ` +
          `[${current.isr.join(', ')}], so going back would need an unclean leader election.`,
      );
    }
    const leader = isr.includes(current.leader) ? current.leader : electLeader(original, isr, context.isEligible, false).leader;
    return { change: assignmentChange(topic, before, { replicas: original, isr, leader, addingReplicas: [], removingReplicas: [] }) };
  }
  const problem = targetProblem(context.state, which, target);
  if (problem !== undefined) return refused(ErrorCode.INVALID_REPLICA_ASSIGNMENT, problem);
  if (!isReassigning(current) && sameList(target, current.replicas)) return { change: assignmentChange(topic, before, current) };
  const removingReplicas = current.replicas.filter((r) => !target.includes(r));
  const next: Assignment = {
    replicas: [...target, ...removingReplicas],
    isr: current.isr,
    leader: current.leader,
    addingReplicas: target.filter((r) => !original.includes(r)),
    removingReplicas,
  };
  return { change: assignmentChange(topic, before, completedReassignment(context, next) ?? next) };
}

/** Why `target` cannot be a partition's replicas (Kafka's manual assignment checks), or undefined. */
function targetProblem(state: MetadataState, which: string, target: readonly number[]): string | undefined {
  if (target.length === 0) return `The target replicas of ${which} are empty.`;
  const twice = target.find((r, i) => target.indexOf(r) !== i);
  if (twice !== undefined) return `The target replicas of ${which} (${target.join(', ')}) name broker ${twice} twice.`;
  const unknown = target.find((r) => state.broker(r) === undefined);
  if (unknown !== undefined) return `The target replicas of ${which} (${target.join(', ')}) include broker ${unknown}, which is not registered.`;
  return undefined;
}
