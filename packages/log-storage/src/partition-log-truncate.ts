import { retentionBreaches, segmentsBelow } from './log-retention.js';
import { LogSegment } from './log-segment.js';
import type { PartitionLogFlusher } from './partition-log-flush.js';
import { logEndOffsetOf, type PartitionLogState } from './partition-log-state.js';
import { loadProducerState } from './producer-state-replay.js';
import { OffsetOutOfRangeError } from './storage-errors.js';
import { topicPartitionName } from './topic-partition.js';

// How a PartitionLog loses batches: truncation at the end (followers after a
// leader change), the log start offset moving up (DeleteRecords) and
// retention at the start. Each runs on the log's SerialQueue and keeps the
// log start offset, the recovery point and the leader epoch cache in step
// with the segments, and the producer state with the batches left:
// truncation reloads it from the latest snapshot at or below the new end,
// the log start offset moving drops the producers below it. Not
// thread-safe; owned by the partition's broker loop.

/** See PartitionLog.truncateTo. */
export function truncateTo(state: PartitionLogState, flusher: PartitionLogFlusher, targetOffset: bigint): Promise<boolean> {
  if (targetOffset < 0n) return Promise.reject(new RangeError(`cannot truncate ${topicPartitionName(state.ctx.topicPartition)} to ${targetOffset}`));
  return state.serial.run(async () => {
    const logEnd = logEndOffsetOf(state);
    if (targetOffset >= logEnd) {
      // Nothing to cut, but an epoch this broker started as leader and
      // appended nothing in still ends the cache (as in Kafka): a follower
      // would send it as its last fetched epoch, which the new leader never
      // had, and be told to truncate again on every fetch, never joining the
      // ISR. That epoch has no batches, so the checkpoint waits for the next
      // append (see PartitionLog.assignEpochStartOffset).
      if (state.leaderEpochCache.truncateFromEnd(logEnd)) flusher.noteBatchlessEpochChange();
      return false;
    }
    if (targetOffset < state.segments.first.baseOffset) {
      await truncateFully(state, flusher, targetOffset);
      return true;
    }
    state.truncations++;
    for (const segment of state.segments.removeAbove(targetOffset)) await segment.delete();
    await state.segments.active.truncateTo(targetOffset);
    const end = logEndOffsetOf(state);
    const movedBack = state.recoveryPoint > end;
    if (movedBack) state.recoveryPoint = end;
    if (state.logStartOffset > end) state.logStartOffset = end;
    if (state.leaderEpochCache.truncateFromEnd(end)) await flusher.flushEpochCache();
    await loadProducerState(state.producerState, state.ctx, state.segments.all(), state.logStartOffset, undefined);
    if (movedBack) await checkpointRecoveryPoint(state);
    for (const listener of state.truncationListeners ?? []) listener(end);
    return true;
  });
}

/** See PartitionLog.truncateFullyAndStartAt. */
export function truncateFullyAndStartAt(state: PartitionLogState, flusher: PartitionLogFlusher, newOffset: bigint): Promise<void> {
  return state.serial.run(() => truncateFully(state, flusher, newOffset));
}

async function truncateFully(state: PartitionLogState, flusher: PartitionLogFlusher, newOffset: bigint): Promise<void> {
  state.truncations++;
  for (const segment of state.segments.all()) await segment.delete();
  const fresh = await LogSegment.create(state.ctx, newOffset);
  state.segments.replaceAll(fresh);
  state.directoryDirty = true;
  state.logStartOffset = newOffset;
  state.recoveryPoint = newOffset;
  if (state.leaderEpochCache.clear()) await flusher.flushEpochCache();
  await state.producerState.deleteSnapshotsAbove(-1n);
  state.producerState.clear();
  await checkpointRecoveryPoint(state);
  for (const listener of state.truncationListeners ?? []) listener(newOffset);
}

/**
 * A recovery point moved back must reach the checkpoint before a crash can
 * follow: recovery trusts what lies below the checkpointed one, which now
 * includes batches written after the truncation, unflushed. A failure is
 * logged; the next checkpoint tries again.
 */
async function checkpointRecoveryPoint(state: PartitionLogState): Promise<void> {
  try {
    await state.checkpointRecoveryPoint?.();
  } catch (error) {
    state.ctx.logger.error('Failed to checkpoint the recovery point after a truncation', { partition: topicPartitionName(state.ctx.topicPartition), error });
  }
}

/** See PartitionLog.maybeIncrementLogStartOffset. */
export function maybeIncrementLogStartOffset(state: PartitionLogState, flusher: PartitionLogFlusher, newLogStartOffset: bigint): Promise<boolean> {
  return state.serial.run(async () => {
    if (newLogStartOffset > logEndOffsetOf(state)) {
      throw new OffsetOutOfRangeError(state.ctx.topicPartition, newLogStartOffset, state.logStartOffset, logEndOffsetOf(state));
    }
    if (newLogStartOffset <= state.logStartOffset) return false;
    state.logStartOffset = newLogStartOffset;
    if (state.leaderEpochCache.truncateFromStart(newLogStartOffset)) await flusher.flushEpochCache();
    await deleteOldest(state, flusher, segmentsBelow(state.segments.all(), newLogStartOffset));
    await producerStateAtNewLogStart(state);
    return true;
  });
}

/** See PartitionLog.deleteOldSegments. */
export function deleteOldSegments(state: PartitionLogState, flusher: PartitionLogFlusher, highWatermark?: bigint): Promise<number> {
  return state.serial.run(async () => {
    const bound = highWatermark ?? logEndOffsetOf(state);
    return deleteOldest(state, flusher, retentionBreaches(state.segments.all(), state.ctx.config, state.ctx.clock(), state.logStartOffset, bound));
  });
}

async function deleteOldest(state: PartitionLogState, flusher: PartitionLogFlusher, count: number): Promise<number> {
  if (count === 0) return 0;
  const removed = state.segments.removeOldest(count);
  const newStart = state.segments.first.baseOffset;
  if (newStart > state.logStartOffset) {
    state.logStartOffset = newStart;
    if (state.leaderEpochCache.truncateFromStart(newStart)) await flusher.flushEpochCache();
  }
  if (state.recoveryPoint < newStart) state.recoveryPoint = newStart;
  for (const segment of removed) {
    state.ctx.logger.info('Deleting segment', { partition: topicPartitionName(state.ctx.topicPartition), segment: segment.logPath });
    await segment.delete();
  }
  await producerStateAtNewLogStart(state);
  return removed.length;
}

/** Kafka 3.x's onLogStartOffsetIncremented (producers stay until they expire), and the snapshots below the log start offset but the latest go. */
async function producerStateAtNewLogStart(state: PartitionLogState): Promise<void> {
  state.producerState.onLogStartOffsetIncremented(state.logStartOffset);
  await state.producerState.deleteSnapshotsBelow(state.logStartOffset);
}
