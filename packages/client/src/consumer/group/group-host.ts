import type { ClusterClient } from '../../cluster/index.js';
import type { TopicPartition } from '../assignors/assignor.js';

/**
 * What the group member needs from the consumer it serves (the Consumer
 * implements it): the subscription, the positions to commit, and the
 * fetching to stop and start as partitions move.
 */
export interface GroupHost {
  readonly cluster: ClusterClient;
  subscribedTopics(): readonly string[];
  /** Stop fetching these and drop their buffered records; the member commits their positions. */
  partitionsRevoked(partitions: TopicPartition[]): Promise<void>;
  /** Start fetching these from their committed offsets (null: autoOffsetReset decides). */
  partitionsAssigned(partitions: readonly (TopicPartition & { committed: bigint | null; leaderEpoch?: number })[]): Promise<void>;
  /** Drop these without committing: another member may already own them. */
  partitionsLost(partitions: TopicPartition[]): Promise<void>;
  /** The next offset to read of each partition the application has been given records of. */
  consumedPositions(partitions?: readonly TopicPartition[]): (TopicPartition & { offset: bigint; leaderEpoch: number })[];
}
