// Leader elections and ISR changes that follow a broker's liveness, decided
// as pure functions over the metadata state: each returns the
// PartitionRecords to write, as KRaft's PartitionChangeBuilder does. A leader
// is the first replica, in the partition's replica order, that is in the ISR
// and eligible; an unclean election (unclean.leader.election.enable) may take
// any eligible replica when no ISR member is, and its ISR becomes that
// replica alone. The ISR is never emptied: the last member of a partition
// whose leader died stays in it (leader -1) so that it can come back as a
// clean leader. The decisions that visit every partition are async only to
// share the event loop (turns of loop-turns.ts, as the admin decisions):
// a broker may hold 100000 partitions.
import { LoopTurns, reassignmentFields } from '@kstream/metadata';
import type { MetadataState, PartitionRecord, PartitionState, TopicMetadata } from '@kstream/metadata';

export const NO_LEADER = -1;

/** What elections read besides the partitions: which brokers may lead or join an ISR, and where unclean elections are allowed. */
export interface ElectionContext {
  readonly state: MetadataState;
  /** Registered, unfenced and not in controlled shutdown. */
  readonly isEligible: (brokerId: number) => boolean;
  /** unclean.leader.election.enable in effect for the topic. */
  readonly uncleanEnabled: (topic: TopicMetadata) => boolean;
}

/** One partition's change: the record to write, and what it replaces (for the controller's log lines). */
export interface PartitionChange {
  readonly topic: string;
  readonly before: PartitionState;
  readonly record: PartitionRecord;
  /** The new leader was elected from outside the ISR: records it had not copied are lost. */
  readonly unclean: boolean;
}

export interface Election {
  readonly leader: number;
  readonly isr: readonly number[];
  readonly unclean: boolean;
}

/**
 * Elects from `isr`: its first eligible member in replica order; failing
 * that, when `allowUnclean`, the first eligible replica, whose ISR becomes
 * itself alone; failing that, no leader and `isr` as it is.
 */
export function electLeader(replicas: readonly number[], isr: readonly number[], isEligible: (brokerId: number) => boolean, allowUnclean: boolean): Election {
  const clean = replicas.find((r) => isr.includes(r) && isEligible(r));
  if (clean !== undefined) return { leader: clean, isr, unclean: false };
  const unclean = allowUnclean ? replicas.find(isEligible) : undefined;
  if (unclean !== undefined) return { leader: unclean, isr: [unclean], unclean: true };
  return { leader: NO_LEADER, isr, unclean: false };
}

/** What a PartitionChange may change: its replicas, reassignment, leader and ISR. */
export type Assignment = Pick<PartitionState, 'replicas' | 'isr' | 'leader' | 'addingReplicas' | 'removingReplicas'>;

/**
 * The change that gives `before` this leader and ISR, or undefined when it
 * has them already. The leader epoch grows exactly when the leader changes,
 * the partition epoch with every change.
 */
export function partitionChange(topic: TopicMetadata, before: PartitionState, leader: number, isr: readonly number[], unclean = false): PartitionChange | undefined {
  return assignmentChange(topic, before, { ...before, leader, isr }, unclean);
}

/** The change that gives `before` the assignment `after` (replicas and reassignment too), or undefined when it has it already. */
export function assignmentChange(topic: TopicMetadata, before: PartitionState, after: Assignment, unclean = false): PartitionChange | undefined {
  const leaderChanged = after.leader !== before.leader;
  const unchanged =
    !leaderChanged &&
    sameMembers(after.isr, before.isr) &&
    sameList(after.replicas, before.replicas) &&
    sameList(after.addingReplicas, before.addingReplicas) &&
    sameList(after.removingReplicas, before.removingReplicas);
  if (unchanged) return undefined;
  const record: PartitionRecord = {
    type: 'Partition',
    topicId: topic.topicId,
    partition: before.partition,
    replicas: after.replicas,
    isr: after.isr,
    leader: after.leader,
    leaderEpoch: leaderChanged ? before.leaderEpoch + 1 : before.leaderEpoch,
    partitionEpoch: before.partitionEpoch + 1,
    ...reassignmentFields(after.addingReplicas, after.removingReplicas),
  };
  return { topic: topic.name, before, record, unclean };
}

/** `isr` without `brokerId`, unless that would empty it. */
export function isrWithout(isr: readonly number[], brokerId: number): readonly number[] {
  const rest = isr.filter((r) => r !== brokerId);
  return rest.length > 0 ? rest : isr;
}

/**
 * Broker `brokerId` was fenced (`context.isEligible` already says no for
 * it): every partition it leads gets a new leader, and it leaves every ISR
 * it is not the last member of.
 */
export async function fenceChanges(context: ElectionContext, brokerId: number): Promise<PartitionChange[]> {
  const changes: PartitionChange[] = [];
  const turns = new LoopTurns();
  for (const [topic, partition] of partitionsOf(context.state, brokerId)) {
    if (turns.due) await turns.next();
    const isr = isrWithout(partition.isr, brokerId);
    const change =
      partition.leader === brokerId
        ? elected(topic, partition, electLeader(partition.replicas, isr, context.isEligible, context.uncleanEnabled(topic)))
        : partitionChange(topic, partition, partition.leader, isr);
    if (change) changes.push(change);
  }
  return changes;
}

/**
 * Broker `brokerId` registered a new incarnation (`context.isEligible` says
 * yes for it): each leaderless partition it is a replica of holds an
 * election, which it wins when it is in the ISR (or, unclean, when no ISR
 * member is eligible). It does not rejoin ISRs here: its leaders add it by
 * AlterPartition once it has caught up.
 */
export function registrationChanges(context: ElectionContext, brokerId: number): Promise<PartitionChange[]> {
  return leaderlessElections(context, (partition) => partition.replicas.includes(brokerId));
}

/**
 * Elections in every leaderless partition (that `which` selects): after a
 * registration, or a config change that may have allowed unclean elections.
 */
export async function leaderlessElections(context: ElectionContext, which: (partition: PartitionState) => boolean = () => true): Promise<PartitionChange[]> {
  const changes: PartitionChange[] = [];
  const turns = new LoopTurns();
  for (const [topic, partition] of everyPartition(context.state)) {
    if (turns.due) await turns.next();
    if (partition.leader !== NO_LEADER || !which(partition)) continue;
    const change = elected(topic, partition, electLeader(partition.replicas, partition.isr, context.isEligible, context.uncleanEnabled(topic)));
    if (change) changes.push(change);
  }
  return changes;
}

export function elected(topic: TopicMetadata, partition: PartitionState, election: Election): PartitionChange | undefined {
  return partitionChange(topic, partition, election.leader, election.isr, election.unclean);
}

/** Every partition, with its topic. */
export function* everyPartition(state: MetadataState): Generator<[TopicMetadata, PartitionState]> {
  for (const topic of state.topics.values()) {
    for (const partition of topic.partitions) yield [topic, partition];
  }
}

/** Every partition that has `brokerId` among its replicas. */
export function* partitionsOf(state: MetadataState, brokerId: number): Generator<[TopicMetadata, PartitionState]> {
  for (const entry of everyPartition(state)) {
    if (entry[1].replicas.includes(brokerId)) yield entry;
  }
}

/** `topic-partition`, as Kafka names a partition in its messages. */
export function partitionName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((r) => b.includes(r));
}

/** The same brokers in the same order: replica order is the leaders' preference. */
export function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((r, i) => b[i] === r);
}
