import type { GroupState } from './classic-group.js';
import type { CoordinatorShard } from './coordinator-shard.js';

/** One partition a group committed: how far its consumers are behind the log end. */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly committedOffset: bigint;
  /** undefined when the caller does not know the partition (deleted topic, not hosted). */
  readonly logEndOffset: bigint | undefined;
  /** logEndOffset − committedOffset, never below 0; undefined without a log end offset. */
  readonly lag: bigint | undefined;
}

/** A group's committed offsets and their lag, for the CLI and metrics. */
export interface GroupLag {
  readonly groupId: string;
  readonly state: GroupState;
  readonly partitions: readonly PartitionLag[];
  /** The sum of the known lags. */
  readonly totalLag: bigint;
}

export function groupLagOf(shard: CoordinatorShard, groupId: string, logEndOffset: (topic: string, partition: number) => bigint | undefined): GroupLag | undefined {
  const group = shard.groups.get(groupId);
  if (group === undefined || group.state === 'Dead') return undefined;
  let totalLag = 0n;
  const partitions: PartitionLag[] = [];
  for (const [topic, partition, committed] of shard.offsets.entries(groupId)) {
    const end = logEndOffset(topic, partition);
    const lag = end === undefined ? undefined : end > committed.offset ? end - committed.offset : 0n;
    if (lag !== undefined) totalLag += lag;
    partitions.push({ topic, partition, committedOffset: committed.offset, logEndOffset: end, lag });
  }
  partitions.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  return { groupId, state: group.state, partitions, totalLag };
}
