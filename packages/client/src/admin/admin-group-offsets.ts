// groupLag and resetGroupOffsets: what kafka-consumer-groups --describe and
// --reset-offsets do, from the group's committed offsets, its members'
// assignments and the partitions' offsets.
import type { TopicPartition } from '../consumer/assignors/assignor.js';
import { restOf, startCall } from './admin-call.js';
import type { AdminCall, AdminContext } from './admin-call.js';
import { commitOffsets, fetchCommittedOffsets } from './admin-committed-offsets.js';
import { AdminBatchError, KafkaGroupNotEmptyError } from './admin-errors.js';
import { describeGroups } from './admin-groups.js';
import { partitionName } from './admin-leaders.js';
import { listOffsets } from './admin-offsets.js';
import type { IsolationLevel } from '../consumer/consumer-options.js';
import type { ListedOffset, ListOffsetsOptions, OffsetSpec } from './admin-offsets.js';
import type { AdminCallOptions } from './admin-options.js';
import { describeTopics } from './admin-topic-metadata.js';

export interface PartitionLag extends TopicPartition {
  /** null when the group has committed nothing for it. */
  readonly committedOffset: bigint | null;
  /** The high watermark (the last stable offset under read_committed); null when its leader could not say (e.g. the topic is gone). */
  readonly logEndOffset: bigint | null;
  /** logEndOffset - committedOffset, never below 0; null when either is unknown. */
  readonly lag: bigint | null;
  /** The member it is assigned to, if any. */
  readonly memberId: string | null;
  readonly clientId: string | null;
}

export interface GroupLag {
  readonly groupId: string;
  readonly state: string;
  /** Every partition the group has committed or has assigned, by topic then partition. */
  readonly partitions: readonly PartitionLag[];
  /** The sum of the known lags. */
  readonly totalLag: bigint;
}

export interface GroupLagOptions extends AdminCallOptions {
  /** Default 'read_uncommitted': lag up to the high watermark, as Kafka's tool counts it. */
  isolationLevel?: IsolationLevel;
}

/** Where resetGroupOffsets moves each partition: its log start, its end, the first offset at a time, or an offset (kept within the log). */
export type ResetTarget = 'earliest' | 'latest' | { readonly timestamp: number } | { readonly offset: bigint };

export interface ResetGroupOffsetsOptions extends AdminCallOptions {
  /** Topics (every partition) or single partitions; default: every topic the group has committed offsets for. */
  readonly topics?: readonly (string | TopicPartition)[];
  readonly to: ResetTarget;
  /** Work out and return the plan, commit nothing. */
  readonly dryRun?: boolean;
}

export interface OffsetReset extends TopicPartition {
  /** null when nothing was committed for it. */
  readonly currentOffset: bigint | null;
  readonly newOffset: bigint;
}

export async function groupLag(context: AdminContext, groupId: string, options: GroupLagOptions = {}): Promise<GroupLag> {
  const call = startCall(context, 'groupLag', options);
  const [group] = await describeGroups(context, [groupId], restOf(call));
  const committed = await fetchCommittedOffsets(context, groupId, undefined, restOf(call));
  const owners = new Map<string, { memberId: string; clientId: string }>();
  for (const member of group!.members) {
    for (const tp of member.assignment ?? []) owners.set(partitionName(tp), { memberId: member.memberId, clientId: member.clientId });
  }
  const partitions = new Map<string, TopicPartition>();
  for (const tp of [...committed, ...group!.members.flatMap((m) => m.assignment ?? [])]) {
    partitions.set(partitionName(tp), { topic: tp.topic, partition: tp.partition });
  }
  const sorted = [...partitions.values()].sort(byTopicPartition);
  const ends = await knownOffsets(context, sorted, { ...restOf(call), isolationLevel: options.isolationLevel ?? 'read_uncommitted' });
  const lags = sorted.map((tp): PartitionLag => {
    const name = partitionName(tp);
    const committedOffset = committed.find((c) => c.topic === tp.topic && c.partition === tp.partition)?.offset ?? null;
    const logEndOffset = ends.get(name) ?? null;
    const lag = committedOffset === null || logEndOffset === null ? null : logEndOffset > committedOffset ? logEndOffset - committedOffset : 0n;
    return { ...tp, committedOffset, logEndOffset, lag, memberId: owners.get(name)?.memberId ?? null, clientId: owners.get(name)?.clientId ?? null };
  });
  return { groupId, state: group!.state, partitions: lags, totalLag: lags.reduce((sum, p) => sum + (p.lag ?? 0n), 0n) };
}

/**
 * Moves the group's committed offsets, as kafka-consumer-groups
 * --reset-offsets does: only while the group has no members
 * (KafkaGroupNotEmptyError otherwise, dry run or not), an offset outside a
 * partition's log is moved to its nearer end, and a time past every record
 * resets to the end. Resolves with the plan, committed unless dryRun.
 */
export async function resetGroupOffsets(context: AdminContext, groupId: string, options: ResetGroupOffsetsOptions): Promise<OffsetReset[]> {
  const call = startCall(context, 'resetGroupOffsets', options);
  const [group] = await describeGroups(context, [groupId], restOf(call));
  if (group!.members.length > 0 || !['Empty', 'Dead'].includes(group!.state)) {
    throw new KafkaGroupNotEmptyError(groupId, group!.state, group!.members.length);
  }
  const committed = await fetchCommittedOffsets(context, groupId, undefined, restOf(call));
  const partitions = await selectedPartitions(context, options.topics ?? [...new Set(committed.map((c) => c.topic))], call);
  const plan = await newOffsets(context, partitions, options.to, call);
  const resets = plan.map(({ tp, offset }) => ({
    ...tp,
    currentOffset: committed.find((c) => c.topic === tp.topic && c.partition === tp.partition)?.offset ?? null,
    newOffset: offset,
  }));
  if (options.dryRun !== true && resets.length > 0) {
    await commitOffsets(
      context,
      groupId,
      resets.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.newOffset })),
      restOf(call),
    );
  }
  return resets;
}

async function newOffsets(context: AdminContext, partitions: readonly TopicPartition[], to: ResetTarget, call: AdminCall) {
  const offsetsAt = async (spec: OffsetSpec) =>
    (
      await listOffsets(
        context,
        partitions.map((tp) => ({ ...tp, spec })),
        restOf(call),
      )
    ).map((f) => f.offset);
  if (to === 'earliest' || to === 'latest') {
    const found = await offsetsAt(to);
    return partitions.map((tp, i) => ({ tp, offset: found[i]! }));
  }
  const latest = await offsetsAt('latest');
  if ('timestamp' in to) {
    const atTime = await offsetsAt({ timestamp: to.timestamp });
    // No record at or after the time: the end, as Kafka's tool resets.
    return partitions.map((tp, i) => ({ tp, offset: atTime[i]! < 0n ? latest[i]! : atTime[i]! }));
  }
  const earliest = await offsetsAt('earliest');
  return partitions.map((tp, i) => ({ tp, offset: clamp(to.offset, earliest[i]!, latest[i]!) }));
}

function clamp(offset: bigint, low: bigint, high: bigint): bigint {
  return offset < low ? low : offset > high ? high : offset;
}

/** Named partitions as they are; named topics as all their partitions. */
async function selectedPartitions(context: AdminContext, selection: readonly (string | TopicPartition)[], call: AdminCall): Promise<TopicPartition[]> {
  const topics = [...new Set(selection.filter((s): s is string => typeof s === 'string'))];
  const described = topics.length === 0 ? [] : await describeTopics(context, topics, restOf(call));
  const partitions = new Map<string, TopicPartition>();
  for (const s of selection) if (typeof s !== 'string') partitions.set(partitionName(s), { topic: s.topic, partition: s.partition });
  for (const t of described) for (const p of t.partitions) partitions.set(partitionName({ topic: t.topic, partition: p.partition }), { topic: t.topic, partition: p.partition });
  return [...partitions.values()].sort(byTopicPartition);
}

/** The offsets the leaders could give; a partition that failed (its topic deleted, say) is left out. */
async function knownOffsets(context: AdminContext, partitions: readonly TopicPartition[], options: ListOffsetsOptions): Promise<Map<string, bigint>> {
  let found: readonly ListedOffset[];
  try {
    found = await listOffsets(
      context,
      partitions.map((tp) => ({ ...tp, spec: 'latest' as const })),
      options,
    );
  } catch (error) {
    if (!(error instanceof AdminBatchError)) throw error;
    found = error.succeeded as ListedOffset[];
  }
  return new Map(found.map((f) => [partitionName(f), f.offset]));
}

function byTopicPartition(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}
