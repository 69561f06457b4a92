import { join } from 'node:path';
import { checkCrcs, validateAppend, type AppendBatch, type AppendOrigin } from './append-validation.js';
import { GroupCommit } from './group-commit.js';
import { assignOffsets, contiguityError, lastOffsetIfAppendedAt, maxTimestampOf, type LogAppendInfo, type PendingAppend } from './log-append.js';
import { LeaderEpochFileCache, type EpochEndOffset } from './leader-epoch-file-cache.js';
import { defaultLogConfig, type LogConfig } from './log-config.js';
import { LogDirIo } from './log-dir-io.js';
import { LEADER_EPOCH_CHECKPOINT_FILE, partitionDirName } from './log-file-names.js';
import { loadLog } from './log-loader.js';
import {
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  findOffsetByTimestamp,
  readSegments,
  type LogReadInfo,
  type LogReadOptions,
  type TimestampAndOffset,
} from './log-read.js';
import { retentionBreaches, segmentsBelow } from './log-retention.js';
import { LogSegment, type IndexedBatch, type SegmentContext } from './log-segment.js';
import { LogSegments } from './log-segments.js';
import { silentLogger, type Logger } from './logger.js';
import { SerialQueue } from './serial-queue.js';
import { LogClosedError, OffsetOutOfRangeError, type CorruptRecordError } from './storage-errors.js';
import { topicPartitionName, type TopicPartition } from './topic-partition.js';

export interface PartitionLogOptions {
  /** The log directory (`<data-dir>/broker-<id>`); the partition lives in `<topic>-<partition>` under it. */
  logDir: string;
  topic: string;
  partition: number;
  config?: LogConfig;
  /** From the directory's recovery-point-offset-checkpoint; without one the whole log is recovered. */
  recoveryPoint?: bigint;
  /** From the directory's log-start-offset-checkpoint. */
  logStartOffset?: bigint;
  logger?: Logger;
  /** Wall clock in milliseconds: LogAppendTime, segment.ms, retention.ms. */
  clock?: () => number;
  /** The I/O layer of the log directory, shared by its partitions. */
  io?: LogDirIo;
}

const INT32_MAX = 0x7fffffffn;

/**
 * One partition's log (Kafka's UnifiedLog and LocalLog): a directory
 * `<topic>-<partition>` of LogSegments named by their 20-digit base offsets
 * (`.log`, `.index`, `.timeindex`) plus `leader-epoch-checkpoint`. Batches
 * are stored exactly as received, with their base offset (and, on the
 * leader, partition leader epoch and LogAppendTime) rewritten in place.
 *
 * The append path is built for throughput: appends queue, and each turn of
 * the writer writes every queued append that fits the active segment with
 * one pwritev of the callers' own buffers — no copy, no per-append sync —
 * and checks their CRCs while that write is in flight; the write counts
 * only once both are done, and is cut back if a batch failed.
 * Under the durable flush policy an append resolves after an fdatasync
 * shared by every append waiting (GroupCommit). Changes (writes, rolls,
 * truncations, retention) run one at a time on a SerialQueue; reads and
 * syncs run beside them on retained segments.
 *
 * Not thread-safe; owned by the partition's broker loop.
 */
export class PartitionLog {
  readonly topicPartition: TopicPartition;
  readonly dir: string;
  private readonly ctx: SegmentContext;
  private readonly segments: LogSegments;
  private _logStartOffset: bigint;
  private _recoveryPoint: bigint;
  private readonly serial = new SerialQueue();
  private pending: PendingAppend[] = [];
  private drainScheduled = false;
  /** Completed writes, numbered for GroupCommit. */
  private writes = 0;
  /** Bumped by every truncation: a flush that overlapped one must not move the recovery point. */
  private truncations = 0;
  private directoryDirty = false;
  private epochCacheDirty = false;
  private lastFlushTime: number;
  private flushQueued = false;
  private backgroundFlush: Promise<void> = Promise.resolve();
  private readonly groupCommit: GroupCommit;
  /** Set once close or closeForDeletion is called: every later call fails with LogClosedError. */
  private closedAs: 'closed' | 'deleted' | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    ctx: SegmentContext,
    segments: LogSegment[],
    logStartOffset: bigint,
    recoveryPoint: bigint,
    readonly leaderEpochCache: LeaderEpochFileCache,
  ) {
    this.ctx = ctx;
    this.topicPartition = ctx.topicPartition;
    this.dir = ctx.dir;
    this.segments = new LogSegments(segments);
    this._logStartOffset = logStartOffset;
    this._recoveryPoint = recoveryPoint;
    this.lastFlushTime = ctx.clock();
    this.groupCommit = new GroupCommit(() => this.syncWrites());
  }

  /** Opens (creating if needed) and recovers a partition's log. */
  static async open(options: PartitionLogOptions): Promise<PartitionLog> {
    const io = options.io ?? new LogDirIo(options.logDir);
    const ctx: SegmentContext = {
      io,
      dir: join(options.logDir, partitionDirName(options.topic, options.partition)),
      topicPartition: { topic: options.topic, partition: options.partition },
      config: options.config ?? defaultLogConfig,
      logger: options.logger ?? silentLogger,
      clock: options.clock ?? Date.now,
    };
    await io.mkdir(ctx.dir);
    const epochCache = await LeaderEpochFileCache.load(io, join(ctx.dir, LEADER_EPOCH_CHECKPOINT_FILE));
    const loaded = await loadLog(ctx, epochCache, options);
    const log = new PartitionLog(ctx, loaded.segments, loaded.logStartOffset, loaded.recoveryPoint, epochCache);
    const end = epochCache.truncateFromEnd(log.logEndOffset);
    const start = epochCache.truncateFromStart(log.logStartOffset);
    if (end || start || loaded.recoveryPoint < log.logEndOffset) await epochCache.flush();
    return log;
  }

  get config(): LogConfig {
    return this.ctx.config;
  }

  /** Takes effect for the next append, roll and retention pass; existing segments keep their index sizes. */
  updateConfig(config: LogConfig): void {
    this.ctx.config = config;
  }

  /** The offset the next batch gets (one past the last written batch). */
  get logEndOffset(): bigint {
    return this.segments.active.nextOffset;
  }

  /** The first offset a reader may ask for. */
  get logStartOffset(): bigint {
    return this._logStartOffset;
  }

  /** Everything below this offset — batches and indexes — is on disk; recovery starts here. */
  get recoveryPoint(): bigint {
    return this._recoveryPoint;
  }

  /** Bytes in all segments. */
  get size(): number {
    return this.segments.sizeInBytes();
  }

  get numberOfSegments(): number {
    return this.segments.count;
  }

  segmentBaseOffsets(): bigint[] {
    return this.segments.all().map((s) => s.baseOffset);
  }

  /**
   * Appends batches produced by clients: validates each (one bad batch
   * rejects the append with CorruptRecordError and leaves the log as it
   * was), then assigns offsets from the log end offset, stamps `leaderEpoch`
   * (and LogAppendTime when configured) in place. `records` is written as it
   * is, not copied: it must not change until the append settles.
   */
  appendAsLeader(records: Buffer, leaderEpoch: number): Promise<LogAppendInfo> {
    return this.append(records, 'leader', leaderEpoch);
  }

  /** Appends a leader's batches as they are; they must continue the log exactly (UnexpectedAppendOffsetError if not). */
  appendAsFollower(records: Buffer): Promise<LogAppendInfo> {
    return this.append(records, 'follower', -1);
  }

  // Not async: one promise per append on the hot path, structural checks before it is queued.
  private append(records: Buffer, origin: AppendOrigin, leaderEpoch: number): Promise<LogAppendInfo> {
    if (this.closedAs !== undefined) return Promise.reject(new LogClosedError(this.topicPartition, this.closedAs));
    let batches: AppendBatch[];
    try {
      batches = validateAppend(this.topicPartition, records, origin);
    } catch (error) {
      return Promise.reject(error);
    }
    if (batches.length === 0) {
      const end = this.logEndOffset;
      return Promise.resolve({ firstOffset: end, lastOffset: end - 1n, logAppendTime: -1n, logStartOffset: this._logStartOffset, validBytes: 0 });
    }
    return new Promise<LogAppendInfo>((resolve, reject) => {
      this.pending.push({ records, batches, origin, leaderEpoch, bytes: records.length, crcVerified: false, resolve, reject });
      if (!this.drainScheduled) {
        this.drainScheduled = true;
        void this.serial.run(() => this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    this.drainScheduled = false;
    const queue = this.pending;
    this.pending = [];
    while (queue.length > 0) await this.writeGroup(queue);
  }

  /**
   * Writes, in one pwritev, as many queued appends as fit the active segment
   * (rolling it first if due), checking their CRCs while the write is in
   * flight. If a batch fails, the write is cut back, its append rejected and
   * the others go back to the head of the queue.
   */
  private async writeGroup(queue: PendingAppend[]): Promise<void> {
    const config = this.ctx.config;
    const now = this.ctx.clock();
    const logAppendTime = config.messageTimestampType === 'LogAppendTime' ? BigInt(now) : -1n;
    let active = this.segments.active;
    const first = queue[0]!;
    try {
      const firstMaxTimestamp = first.origin === 'leader' && logAppendTime >= 0n ? logAppendTime : maxTimestampOf(first);
      if (this.shouldRoll(active, first.bytes, firstMaxTimestamp, lastOffsetIfAppendedAt(first, this.logEndOffset), now)) {
        active = await this.rollActiveSegment();
      }
    } catch (error) {
      queue.shift();
      first.reject(error);
      return;
    }

    const members: { append: PendingAppend; firstOffset: bigint; lastOffset: bigint }[] = [];
    const buffers: Buffer[] = [];
    const indexed: IndexedBatch[] = [];
    let bytes = 0;
    let next = this.logEndOffset;
    while (queue.length > 0) {
      const append = queue[0]!;
      const lastOffset = lastOffsetIfAppendedAt(append, next);
      if (members.length > 0 && (active.size + bytes + append.bytes > config.segmentBytes || lastOffset - active.baseOffset > INT32_MAX)) break;
      queue.shift();
      if (append.origin === 'follower') {
        const mismatch = contiguityError(this.topicPartition, append, next);
        if (mismatch !== undefined) {
          append.reject(mismatch);
          continue;
        }
      } else {
        // LogAppendTime gets a new CRC, which would hide a bad batch: this path checks first, then rewrites.
        const corrupt = logAppendTime >= 0n ? this.crcError(append) : undefined;
        if (corrupt !== undefined) {
          append.reject(corrupt);
          continue;
        }
        assignOffsets(append, next, logAppendTime);
      }
      for (const b of append.batches) indexed.push({ lastOffset: b.baseOffset + BigInt(b.lastOffsetDelta), maxTimestamp: b.maxTimestamp, size: b.size });
      members.push({ append, firstOffset: next, lastOffset });
      buffers.push(append.records);
      bytes += append.bytes;
      next = lastOffset + 1n;
    }
    if (members.length === 0) return;

    // The write runs on the thread pool while the CRCs are computed here.
    const writing = active.write(buffers);
    let refused: Map<PendingAppend, CorruptRecordError> | undefined;
    for (const { append } of members) {
      const corrupt = this.crcError(append);
      if (corrupt !== undefined) (refused ??= new Map()).set(append, corrupt);
    }
    try {
      await writing;
    } catch (error) {
      for (const { append } of members) append.reject(refused?.get(append) ?? error);
      return;
    }
    if (refused !== undefined) {
      await active.discardWrite();
      for (const [append, corrupt] of refused) append.reject(corrupt);
      queue.unshift(...members.map((m) => m.append).filter((a) => !refused.has(a)));
      return;
    }
    active.commitWrite(indexed);
    const write = ++this.writes;
    if (this.recordEpochs(members)) await this.flushEpochCache();

    for (const { append, firstOffset, lastOffset } of members) {
      const info: LogAppendInfo = {
        firstOffset,
        lastOffset,
        logAppendTime: append.origin === 'leader' ? logAppendTime : -1n,
        logStartOffset: this._logStartOffset,
        validBytes: append.bytes,
      };
      if (config.flushPolicy === 'durable') {
        this.groupCommit.waitFor(write).then(() => append.resolve(info), append.reject);
      } else {
        append.resolve(info);
      }
    }
    this.maybeFlushByPolicy(now);
  }

  /** Why the append's CRCs do not match, if they do not; each append is checked once. */
  private crcError(append: PendingAppend): CorruptRecordError | undefined {
    if (append.crcVerified) return undefined;
    const corrupt = checkCrcs(this.topicPartition, append.records, append.batches);
    append.crcVerified = corrupt === undefined;
    return corrupt;
  }

  private shouldRoll(active: LogSegment, bytes: number, maxTimestamp: bigint, lastOffset: bigint, now: number): boolean {
    if (active.size === 0) return false;
    const config = this.ctx.config;
    return (
      active.size > config.segmentBytes - bytes ||
      active.timeWaitedForRoll(now, maxTimestamp) > config.segmentMs ||
      active.offsetIndex.isFull ||
      active.timeIndex.isFull ||
      lastOffset - active.baseOffset > INT32_MAX
    );
  }

  /** Records the batches' leader epochs; true if the checkpoint must be written. */
  private recordEpochs(members: readonly { append: PendingAppend }[]): boolean {
    let changed = this.epochCacheDirty;
    for (const { append } of members) {
      for (const b of append.batches) changed = this.leaderEpochCache.assign(b.partitionLeaderEpoch, b.baseOffset) || changed;
    }
    return changed;
  }

  private async flushEpochCache(): Promise<void> {
    try {
      await this.leaderEpochCache.flush();
      this.epochCacheDirty = false;
    } catch (error) {
      // The batches carry their epochs: recovery rebuilds the cache from them; the next flush retries.
      this.epochCacheDirty = true;
      this.ctx.logger.error('Failed to write the leader epoch checkpoint', { partition: topicPartitionName(this.topicPartition), error });
    }
  }

  /**
   * Starts a new active segment at the log end offset (no-op if the active
   * one is empty). The old segment is flushed in the background, as Kafka
   * does, so the recovery point follows rolls.
   */
  roll(): Promise<void> {
    return this.serial.run(async () => {
      await this.rollActiveSegment();
    });
  }

  private async rollActiveSegment(): Promise<LogSegment> {
    const active = this.segments.active;
    if (active.size === 0) return active;
    active.onBecomeInactive();
    await active.flush(false);
    const segment = await LogSegment.create(this.ctx, this.logEndOffset);
    this.segments.add(segment);
    this.directoryDirty = true;
    this.scheduleFlush(segment.baseOffset);
    return segment;
  }

  /**
   * Reads whole batches from the one holding `startOffset`, from a single
   * segment, as Kafka does: see LogReadOptions. Reading at the log end
   * offset (or at/after maxOffset) returns no bytes; below the log start
   * offset or past the log end offset is an OffsetOutOfRangeError. A batch
   * failing its CRC is never returned (CorruptSegmentError when it is the
   * first).
   */
  async read(startOffset: bigint, options: LogReadOptions = {}): Promise<LogReadInfo> {
    this.ensureOpen();
    const logEndOffset = this.logEndOffset;
    if (startOffset < this._logStartOffset || startOffset > logEndOffset) {
      throw new OffsetOutOfRangeError(this.topicPartition, startOffset, this._logStartOffset, logEndOffset);
    }
    const maxOffset = options.maxOffset !== undefined && options.maxOffset < logEndOffset ? options.maxOffset : logEndOffset;
    return readSegments(this.segments, startOffset, maxOffset, options.maxBytes ?? 1024 * 1024, options.minOneMessage ?? true);
  }

  /**
   * ListOffsets: EARLIEST_TIMESTAMP gives the log start offset,
   * LATEST_TIMESTAMP the log end offset, any other timestamp the first batch
   * at or after the log start offset whose max timestamp is >= it — its base
   * offset and max timestamp (the log does not decode records; the broker may
   * refine within that batch). Undefined when no batch is that recent.
   */
  async fetchOffsetByTimestamp(timestamp: bigint): Promise<TimestampAndOffset | undefined> {
    this.ensureOpen();
    if (timestamp === EARLIEST_TIMESTAMP) {
      return { timestamp: -1n, offset: this._logStartOffset, leaderEpoch: this.leaderEpochCache.epochForOffset(this._logStartOffset) };
    }
    if (timestamp === LATEST_TIMESTAMP) {
      return { timestamp: -1n, offset: this.logEndOffset, leaderEpoch: this.leaderEpochCache.latestEpoch() };
    }
    return findOffsetByTimestamp(this.segments.all(), timestamp, this._logStartOffset);
  }

  /** OffsetForLeaderEpoch: see LeaderEpochFileCache.endOffsetFor. */
  endOffsetForEpoch(leaderEpoch: number): EpochEndOffset {
    return this.leaderEpochCache.endOffsetFor(leaderEpoch, this.logEndOffset);
  }

  /** A new leader records that its epoch starts at the log end offset (Kafka's maybeAssignEpochStartOffset). */
  assignEpochStartOffset(leaderEpoch: number, startOffset: bigint): Promise<void> {
    return this.serial.run(async () => {
      if (this.leaderEpochCache.assign(leaderEpoch, startOffset)) await this.flushEpochCache();
    });
  }

  /**
   * Removes every batch at or after `targetOffset`; a batch holding it is
   * removed whole, so the log ends on a batch boundary and the new log end
   * offset is that batch's base offset. Returns false if there was nothing
   * to remove. Below the first segment it empties the log and starts it at
   * `targetOffset`.
   */
  truncateTo(targetOffset: bigint): Promise<boolean> {
    if (targetOffset < 0n) return Promise.reject(new RangeError(`cannot truncate ${topicPartitionName(this.topicPartition)} to ${targetOffset}`));
    return this.serial.run(async () => {
      if (targetOffset >= this.logEndOffset) return false;
      if (targetOffset < this.segments.first.baseOffset) {
        await this.truncateFully(targetOffset);
        return true;
      }
      this.truncations++;
      for (const segment of this.segments.removeAbove(targetOffset)) await segment.delete();
      await this.segments.active.truncateTo(targetOffset);
      const end = this.logEndOffset;
      if (this._recoveryPoint > end) this._recoveryPoint = end;
      if (this._logStartOffset > end) this._logStartOffset = end;
      if (this.leaderEpochCache.truncateFromEnd(end)) await this.flushEpochCache();
      return true;
    });
  }

  /** Deletes every segment and starts an empty log at `newOffset` (a follower too far behind its leader). */
  truncateFullyAndStartAt(newOffset: bigint): Promise<void> {
    return this.serial.run(() => this.truncateFully(newOffset));
  }

  private async truncateFully(newOffset: bigint): Promise<void> {
    this.truncations++;
    for (const segment of this.segments.all()) await segment.delete();
    const fresh = await LogSegment.create(this.ctx, newOffset);
    this.segments.replaceAll(fresh);
    this.directoryDirty = true;
    this._logStartOffset = newOffset;
    this._recoveryPoint = newOffset;
    if (this.leaderEpochCache.clear()) await this.flushEpochCache();
  }

  /**
   * DeleteRecords: moves the log start offset up to `newLogStartOffset` (at
   * most the log end offset; the broker checks the high watermark) and
   * deletes the segments wholly below it. Returns false if it was not above
   * the current log start offset.
   */
  maybeIncrementLogStartOffset(newLogStartOffset: bigint): Promise<boolean> {
    return this.serial.run(async () => {
      if (newLogStartOffset > this.logEndOffset) {
        throw new OffsetOutOfRangeError(this.topicPartition, newLogStartOffset, this._logStartOffset, this.logEndOffset);
      }
      if (newLogStartOffset <= this._logStartOffset) return false;
      this._logStartOffset = newLogStartOffset;
      if (this.leaderEpochCache.truncateFromStart(newLogStartOffset)) await this.flushEpochCache();
      await this.deleteOldest(segmentsBelow(this.segments.all(), newLogStartOffset));
      return true;
    });
  }

  /**
   * Retention: deletes the oldest segments beyond retention.ms or
   * retention.bytes, or below the log start offset — never the active
   * segment, never one reaching the high watermark. Returns how many.
   */
  deleteOldSegments(highWatermark?: bigint): Promise<number> {
    return this.serial.run(async () => {
      const bound = highWatermark ?? this.logEndOffset;
      return this.deleteOldest(retentionBreaches(this.segments.all(), this.ctx.config, this.ctx.clock(), this._logStartOffset, bound));
    });
  }

  private async deleteOldest(count: number): Promise<number> {
    if (count === 0) return 0;
    const removed = this.segments.removeOldest(count);
    const newStart = this.segments.first.baseOffset;
    if (newStart > this._logStartOffset) {
      this._logStartOffset = newStart;
      if (this.leaderEpochCache.truncateFromStart(newStart)) await this.flushEpochCache();
    }
    if (this._recoveryPoint < newStart) this._recoveryPoint = newStart;
    for (const segment of removed) {
      this.ctx.logger.info('Deleting segment', { partition: topicPartitionName(this.topicPartition), segment: segment.logPath });
      await segment.delete();
    }
    return removed.length;
  }

  /**
   * Makes everything below `upTo` (default: the log end offset) durable —
   * batches, indexes, the directory — and then advances the recovery point.
   * The fsyncs run beside appends, not in their way.
   */
  async flush(upTo?: bigint): Promise<void> {
    const plan = await this.serial.run(async () => {
      const end = this.logEndOffset;
      const target = upTo === undefined || upTo > end ? end : upTo;
      const segments = this.segments.all().filter((s) => s.nextOffset > this._recoveryPoint && s.baseOffset < target);
      for (const s of segments) s.retain();
      return { target, segments, truncations: this.truncations };
    });
    try {
      for (const segment of plan.segments) await segment.flush(true);
      await this.syncDirectoryIfDirty();
      if (this.epochCacheDirty) await this.flushEpochCache();
    } finally {
      for (const segment of plan.segments) await segment.release();
    }
    if (plan.truncations === this.truncations && plan.target > this._recoveryPoint) this._recoveryPoint = plan.target;
    this.lastFlushTime = this.ctx.clock();
  }

  private scheduleFlush(upTo?: bigint): void {
    this.backgroundFlush = this.backgroundFlush
      .then(() => this.flush(upTo))
      .catch((error: unknown) => {
        this.ctx.logger.error('Background flush failed', { partition: topicPartitionName(this.topicPartition), error });
      });
  }

  /** flush.messages and flush.ms (Kafka's, both "never" by default). */
  private maybeFlushByPolicy(now: number): void {
    const config = this.ctx.config;
    const unflushed = Number(this.logEndOffset - this._recoveryPoint);
    if (this.flushQueued || (unflushed < config.flushMessages && now - this.lastFlushTime < config.flushMs)) return;
    this.flushQueued = true;
    this.backgroundFlush = this.backgroundFlush.then(() => {
      this.flushQueued = false;
    });
    this.scheduleFlush();
  }

  /** GroupCommit's sync: fdatasync of every .log with unsynced writes (and the directory after a roll). */
  private async syncWrites(): Promise<number> {
    const covered = this.writes;
    const segments = this.segments.all().filter((s) => s.flushedSize < s.size);
    for (const s of segments) s.retain();
    try {
      for (const s of segments) await s.syncLog();
    } finally {
      for (const s of segments) await s.release();
    }
    await this.syncDirectoryIfDirty();
    return covered;
  }

  private async syncDirectoryIfDirty(): Promise<void> {
    if (!this.directoryDirty) return;
    this.directoryDirty = false;
    try {
      await this.ctx.io.fsyncDir(this.dir);
    } catch (error) {
      this.directoryDirty = true;
      throw error;
    }
  }

  /**
   * Clean shutdown: finishes queued appends, flushes everything (the
   * recovery point reaches the log end offset, so the next open scans
   * nothing), writes the indexes and closes the files. Later calls fail
   * with LogClosedError; closing again waits for the first close and does
   * not repeat its error.
   */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing.catch(() => {});
    this.closedAs = 'closed';
    this.closing = this.shutdown(true);
    return this.closing;
  }

  /**
   * Closes the log whose directory is about to be deleted
   * (LogDirectory.deleteLog): as close, but nothing is flushed, since the
   * data is going. Later calls fail with LogClosedError saying so.
   */
  closeForDeletion(): Promise<void> {
    this.closedAs = 'deleted';
    if (this.closing !== undefined) return this.closing.catch(() => {});
    this.closing = this.shutdown(false);
    return this.closing;
  }

  private async shutdown(flush: boolean): Promise<void> {
    await this.serial.run(async () => {});
    await this.backgroundFlush;
    if (flush) await this.flush();
    await this.groupCommit.idle();
    await this.serial.run(async () => {
      for (const segment of this.segments.all()) await segment.close();
      if (flush && this.epochCacheDirty) await this.flushEpochCache();
    });
  }

  /** Reads of a closed log would use closed (or reused) file descriptors. */
  private ensureOpen(): void {
    if (this.closedAs !== undefined) throw new LogClosedError(this.topicPartition, this.closedAs);
  }
}
