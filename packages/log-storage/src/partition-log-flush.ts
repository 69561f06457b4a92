import { GroupCommit } from './group-commit.js';
import { writePartitionMetadata } from './partition-metadata-file.js';
import { logEndOffsetOf, type PartitionLogState } from './partition-log-state.js';
import { topicPartitionName } from './topic-partition.js';

const settled = Promise.resolve();

/**
 * How a PartitionLog's data reaches the disk. `flush` makes batches,
 * indexes, the directory and the leader epoch checkpoint durable, then moves
 * the recovery point. Under the page-cache policy that happens in the
 * background — after each roll, and by flush.messages / flush.ms — as Kafka
 * does; the flush after a roll also writes the recovery point checkpoint,
 * so a crash recovers no more than the active segment; under the durable policy each append waits for a GroupCommit sync,
 * which fdatasyncs every .log with unsynced writes at once (made with the
 * first append that waits for one). Not thread-safe; owned by the
 * partition's broker loop.
 */
export class PartitionLogFlusher {
  /** Completed writes, numbered for GroupCommit. */
  private writes = 0;
  private lastFlushTime: number;
  private flushQueued = false;
  private backgroundFlush: Promise<void> = settled;
  private groupCommit: GroupCommit | undefined;

  constructor(private readonly state: PartitionLogState) {
    this.lastFlushTime = state.ctx.clock();
  }

  /** Numbers a completed write, for waitForSync. */
  noteWrite(): number {
    return ++this.writes;
  }

  /** The number of the last completed write (0: none yet). */
  get lastWrite(): number {
    return this.writes;
  }

  /** Resolves once an fdatasync has covered write number `write` (the durable policy). */
  waitForSync(write: number): Promise<void> {
    this.groupCommit ??= new GroupCommit(() => this.syncWrites());
    return this.groupCommit.waitFor(write);
  }

  /** Resolves when the background flushes queued so far are done. */
  backgroundFlushesDone(): Promise<void> {
    return this.backgroundFlush;
  }

  /** Resolves when no group commit sync is running or wanted. */
  syncsDone(): Promise<void> {
    return this.groupCommit?.idle() ?? settled;
  }

  /** See PartitionLog.flush. */
  async flush(upTo?: bigint): Promise<void> {
    const state = this.state;
    const plan = await state.serial.run(async () => {
      const end = logEndOffsetOf(state);
      const target = upTo === undefined || upTo > end ? end : upTo;
      const segments = state.segments.all().filter((s) => s.nextOffset > state.recoveryPoint && s.baseOffset < target);
      for (const s of segments) s.retain();
      return { target, segments, truncations: state.truncations };
    });
    try {
      // A roll's producer snapshot, written behind it, is durable before the recovery point passes the roll (Kafka's roll flush syncs it first).
      await state.producerState.snapshotsDone();
      if (plan.segments.length > 0) await this.writePendingTopicId();
      for (const segment of plan.segments) await segment.flush(true);
      await this.syncDirectoryIfDirty();
      if (this.epochCacheLagsBatches()) await this.flushEpochCache();
    } finally {
      for (const segment of plan.segments) await segment.release();
    }
    if (plan.truncations === state.truncations && plan.target > state.recoveryPoint) state.recoveryPoint = plan.target;
    this.lastFlushTime = state.ctx.clock();
  }

  /** Flushes in the background; after a roll (`checkpoint`), the recovery point it reaches is checkpointed at once. */
  scheduleFlush(upTo?: bigint, checkpoint = false): void {
    this.backgroundFlush = this.backgroundFlush
      .then(async () => {
        const before = this.state.recoveryPoint;
        await this.flush(upTo);
        if (checkpoint && this.state.recoveryPoint > before) await this.state.checkpointRecoveryPoint?.();
      })
      .catch((error: unknown) => {
        this.state.ctx.logger.error('Background flush failed', { partition: topicPartitionName(this.state.ctx.topicPartition), error });
      });
  }

  /** flush.messages and flush.ms (Kafka's, both "never" by default). */
  maybeFlushByPolicy(now: number): void {
    const config = this.state.ctx.config;
    const unflushed = Number(logEndOffsetOf(this.state) - this.state.recoveryPoint);
    if (this.flushQueued || (unflushed < config.flushMessages && now - this.lastFlushTime < config.flushMs)) return;
    this.flushQueued = true;
    this.backgroundFlush = this.backgroundFlush.then(() => {
      this.flushQueued = false;
    });
    this.scheduleFlush();
  }

  /**
   * Records a change of the epoch cache that only concerns an epoch with no
   * batches (PartitionLog.assignEpochStartOffset, truncateTo at the log
   * end), without writing it: see PartitionLogState.epochCheckpoint.
   */
  noteBatchlessEpochChange(): void {
    if (this.state.epochCheckpoint === 'written') this.state.epochCheckpoint = 'batchless';
  }

  /** Whether the leader epoch checkpoint lacks an entry that batches in the log depend on: flush and close must write it. */
  epochCacheLagsBatches(): boolean {
    return this.state.epochCheckpoint === 'behind';
  }

  /** Writes the leader epoch checkpoint; a failure is logged and retried by the next append or flush. */
  async flushEpochCache(): Promise<void> {
    const state = this.state;
    try {
      await state.leaderEpochCache.flush();
      state.epochCheckpoint = 'written';
    } catch (error) {
      // The batches carry their epochs: recovery rebuilds the cache from them; the next flush retries.
      state.epochCheckpoint = 'behind';
      state.ctx.logger.error('Failed to write the leader epoch checkpoint', { partition: topicPartitionName(state.ctx.topicPartition), error });
    }
  }

  /** GroupCommit's sync: fdatasync of every .log with unsynced writes (and the directory after a roll). */
  private async syncWrites(): Promise<number> {
    const covered = this.writes;
    const segments = this.state.segments.all().filter((s) => s.flushedSize < s.size);
    for (const s of segments) s.retain();
    try {
      if (segments.length > 0) await this.writePendingTopicId();
      for (const s of segments) await s.syncLog();
    } finally {
      for (const s of segments) await s.release();
    }
    await this.syncDirectoryIfDirty();
    return covered;
  }

  /** `partition.metadata`, before the first batches it vouches for are synced; a failure fails the flush, and the next one retries. */
  private async writePendingTopicId(): Promise<void> {
    const state = this.state;
    const topicId = state.pendingTopicId;
    if (topicId === undefined) return;
    await writePartitionMetadata(state.ctx.io, state.ctx.dir, topicId);
    if (state.pendingTopicId === topicId) state.pendingTopicId = undefined;
  }

  private async syncDirectoryIfDirty(): Promise<void> {
    const state = this.state;
    if (!state.directoryDirty) return;
    // A new log whose .log is not made yet has no entry to sync: it stays dirty until the flush after its first write.
    // Only a log's one segment is ever made on first use, so the active segment tells.
    if (!state.segments.active.logMade) return;
    state.directoryDirty = false;
    try {
      await state.ctx.io.fsyncDir(state.ctx.dir);
    } catch (error) {
      state.directoryDirty = true;
      throw error;
    }
  }
}
