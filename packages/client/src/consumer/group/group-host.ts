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
  /**
   * These are about to be revoked: hand the application no more of their
   * records from now on, but keep their positions, which the member commits
   * next (the application's poll runs alongside a rebalance, so without this
   * a record handed after the commit would be read again by the next owner).
   * Optional: added after the first version of this interface.
   */
  partitionsRevoking?(partitions: readonly TopicPartition[]): void;
  /** Stop fetching these and drop their buffered records; called after their positions were committed and onRevoked ran. */
  partitionsRevoked(partitions: TopicPartition[]): Promise<void>;
  /** Start fetching these from their committed offsets (null: autoOffsetReset decides). */
  partitionsAssigned(partitions: readonly (TopicPartition & { committed: bigint | null; leaderEpoch?: number })[]): Promise<void>;
  /** Drop these without committing: another member may already own them. */
  partitionsLost(partitions: TopicPartition[]): Promise<void>;
  /** The next offset to read of each partition the application has been given records of. */
  consumedPositions(partitions?: readonly TopicPartition[]): (TopicPartition & { offset: bigint; leaderEpoch: number })[];
}
