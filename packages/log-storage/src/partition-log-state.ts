import type { LeaderEpochFileCache } from './leader-epoch-file-cache.js';
import type { SegmentContext } from './log-segment.js';
import type { LogSegments } from './log-segments.js';
import type { ProducerStateManager } from './producer-state-manager.js';
import type { SerialQueue } from './serial-queue.js';

/**
 * What the parts of one PartitionLog share: the writer
 * (PartitionLogAppender), the flusher (PartitionLogFlusher) and the
 * truncation and retention functions work on the same segments, move the
 * same offsets and make their changes one at a time on the same SerialQueue.
 * Not thread-safe; owned by the partition's broker loop.
 */
export interface PartitionLogState {
  readonly ctx: SegmentContext;
  readonly segments: LogSegments;
  /** Changes — writes, rolls, truncations, retention — run here one after another. */
  readonly serial: SerialQueue;
  readonly leaderEpochCache: LeaderEpochFileCache;
  /** Producers and transactions, as of the last committed write. */
  readonly producerState: ProducerStateManager;
  /** The first offset a reader may ask for. */
  logStartOffset: bigint;
  /** Everything below this offset — batches and indexes — is on disk; recovery starts here. */
  recoveryPoint: bigint;
  /** Bumped by every truncation: a flush that overlapped one must not move the recovery point. */
  truncations: number;
  /** A segment was created since the directory was last fsynced. */
  directoryDirty: boolean;
  /**
   * How the leader epoch checkpoint on disk stands to the cache; the next
   * append writes it unless 'written':
   * - 'written': it holds the cache;
   * - 'batchless': it lacks only changes of an epoch with no batches (see
   *   PartitionLog.assignEpochStartOffset), which recovery never needs, so
   *   flush and close leave them unwritten;
   * - 'behind': it lacks entries batches depend on (its write failed), so
   *   flush and close write it.
   */
  epochCheckpoint: 'written' | 'batchless' | 'behind';
  /** Writes the recovery point to the log directory's checkpoint (see PartitionLogOptions.checkpointRecoveryPoint). */
  readonly checkpointRecoveryPoint: (() => Promise<void>) | undefined;
  /** Told the new log end offset after every truncation (the log cleaner's first dirty offset must not stay above it); made with the first. */
  truncationListeners: Set<(logEndOffset: bigint) => void> | undefined;
  /** A topic id for `partition.metadata`, written by the first flush of batches (PartitionLogOptions.pendingTopicId); undefined once written. */
  pendingTopicId: string | undefined;
}

/** The offset the next batch gets (one past the last written batch). */
export function logEndOffsetOf(state: PartitionLogState): bigint {
  return state.segments.active.nextOffset;
}
