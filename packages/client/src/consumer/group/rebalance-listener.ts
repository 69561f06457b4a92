import type { TopicPartition } from '../assignors/assignor.js';

/**
 * The application's hooks into a rebalance, called in the Java client's
 * order (ConsumerRebalanceListener): with auto-commit on, the positions are
 * committed, then onRevoked, then the partitions stop being fetched; onLost
 * instead of onRevoked when the member's generation was lost (another member
 * may already own them, so nothing is committed); onAssigned once the new
 * partitions' committed offsets are known.
 */
export interface RebalanceListener {
  onAssigned?(partitions: TopicPartition[]): void | Promise<void>;
  onRevoked?(partitions: TopicPartition[]): void | Promise<void>;
  onLost?(partitions: TopicPartition[]): void | Promise<void>;
}
