import type { AppendOrigin } from './append-validation.js';
import { ControlRecordType, controlRecordKey, encodeUncompressedRecordBatch, endTxnMarkerValue } from '@kstream/protocol';
import type { LogAppendInfo } from './log-append.js';
import { LeaderEpochFileCache, type EpochEndOffset } from './leader-epoch-file-cache.js';
import { collectAbortedTransactions } from './log-aborted-transactions.js';
import type { CleanSummary } from './log-cleaner-job.js';
import { replaceCleanedSegments } from './log-cleaner-swap.js';
import { defaultLogConfig, type LogConfig } from './log-config.js';
import { LogDirIo } from './log-dir-io.js';
import { childPath, LEADER_EPOCH_CHECKPOINT_FILE, partitionDirName } from './log-file-names.js';
import { loadLog } from './log-loader.js';
import {
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  findOffsetByTimestamp,
  maxTimestampAndOffsetOf,
  readSegments,
  type LogReadInfo,
  type LogReadOptions,
  type TimestampAndOffset,
} from './log-read.js';
import type { LogSegment, SegmentContext } from './log-segment.js';
import { LogSegments } from './log-segments.js';
import { silentLogger, type Logger } from './logger.js';
import { PartitionLogAppender } from './partition-log-append.js';
import { PartitionLogFlusher } from './partition-log-flush.js';
import { ProducerStateManager } from './producer-state-manager.js';
import { loadProducerState } from './producer-state-replay.js';
import { logEndOffsetOf, type PartitionLogState } from './partition-log-state.js';
import { deleteOldSegments, maybeIncrementLogStartOffset, truncateFullyAndStartAt, truncateTo } from './partition-log-truncate.js';
import { SerialQueue } from './serial-queue.js';
import { LogClosedError, OffsetOutOfRangeError } from './storage-errors.js';
import type { TopicPartition } from './topic-partition.js';
import type { AbortedTransaction, ActiveProducer, LeaderAppendOrigin, TxnMarker, VerificationGuard } from './transaction-types.js';

/** One segment as the log cleaner sees it (PartitionLog.segmentsForCleaning). */
export interface CleanerSegmentView {
  readonly baseOffset: bigint;
  readonly size: number;
  readonly nextOffset: bigint;
  readonly offsetIndexBytes: number;
  readonly timeIndexBytes: number;
  /** Its newest timestamp (min.compaction.lag.ms compares it). */
  readonly largestTimestamp: bigint;
  /** Its first batch's timestamp (max.compaction.lag.ms counts from it), if it has one. */
  readonly firstTimestamp: bigint | undefined;
}

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
  /**
   * Writes the recovery point to the directory's checkpoint file now rather
   * than at the next periodic checkpoint: once a rolled segment is flushed
   * (a crash then recovers only the segments after it) and when a truncation
   * moves the recovery point back (recovery must not trust what replaced the
   * truncated batches). LogDirectory passes its checkpoint.
   */
  checkpointRecoveryPoint?: () => Promise<void>;
  /**
   * A topic id the directory's `partition.metadata` does not hold yet: it is
   * written, and synced, by the log's first flush of batches (see
   * PARTITION_METADATA_FILE).
   */
  pendingTopicId?: string;
  /**
   * The partition directory's names, if the caller has just listed them, or
   * 'new' for a partition whose directory the caller believes is not there
   * (LogDirectory knows its directories): it is made, or listed if it is
   * there after all. Spares the listing, and reading files that are not
   * there. Without it the directory is made if missing, then listed.
   */
  listed?: readonly string[] | 'new';
}

/**
 * One partition's log (Kafka's UnifiedLog and LocalLog): a directory
 * `<topic>-<partition>` of LogSegments named by their 20-digit base offsets
 * (`.log`, `.index`, `.timeindex`, `.txnindex`) plus `leader-epoch-checkpoint`
 * and producer state snapshots (`<offset>.snapshot`, see
 * ProducerStateManager). Batches
 * are stored exactly as received, with their base offset (and, on the
 * leader, partition leader epoch and LogAppendTime) rewritten in place.
 *
 * The append path is built for throughput: appends queue, and each turn of
 * the writer writes every queued append that fits the active segment with
 * one pwritev of the callers' own buffers — no copy, no per-append sync —
 * inline on the loop after checking their CRCs when it is small, on the
 * thread pool while checking them when it is large; the write counts only
 * once both are done, and is cut back if a batch failed
 * (PartitionLogAppender, LogDirIo.inlineWriteMaxBytes). Under the durable flush policy an append resolves
 * after an fdatasync shared by every append waiting (PartitionLogFlusher).
 * Changes (writes, rolls, truncations, retention) run one at a time on a
 * SerialQueue; reads and syncs run beside them on retained segments.
 * Producer batches are checked in the writer's turn against the producer
 * state as the appends before them leave it, and the state changes only
 * when their write commits (producer-state-append.ts); batches without a
 * producer id skip all of it.
 *
 * Not thread-safe; owned by the partition's broker loop.
 */
export class PartitionLog {
  readonly topicPartition: TopicPartition;
  readonly dir: string;
  private readonly state: PartitionLogState;
  private readonly flusher: PartitionLogFlusher;
  /** Made by the first append or roll: most of a broker's thousands of logs sit idle, and the writer's continuations cost ~400 bytes. */
  private writer: PartitionLogAppender | undefined;
  /** Set once close or closeForDeletion is called: every later call fails with LogClosedError. */
  private closedAs: 'closed' | 'deleted' | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    ctx: SegmentContext,
    segments: LogSegment[],
    logStartOffset: bigint,
    recoveryPoint: bigint,
    readonly leaderEpochCache: LeaderEpochFileCache,
    producerState: ProducerStateManager,
    checkpointRecoveryPoint: (() => Promise<void>) | undefined,
  ) {
    this.topicPartition = ctx.topicPartition;
    this.dir = ctx.dir;
    this.state = {
      ctx,
      segments: new LogSegments(segments),
      serial: new SerialQueue(),
      leaderEpochCache,
      producerState,
      logStartOffset,
      recoveryPoint,
      truncations: 0,
      directoryDirty: false,
      epochCheckpoint: 'written',
      checkpointRecoveryPoint,
      truncationListeners: undefined,
      pendingTopicId: undefined,
    };
    this.flusher = new PartitionLogFlusher(this.state);
  }

  private get appender(): PartitionLogAppender {
    this.writer ??= new PartitionLogAppender(this.state, this.flusher);
    return this.writer;
  }

  /** Opens (creating if needed) and recovers a partition's log. */
  static async open(options: PartitionLogOptions): Promise<PartitionLog> {
    const io = options.io ?? new LogDirIo(options.logDir);
    const ctx: SegmentContext = {
      io,
      dir: childPath(options.logDir, partitionDirName(options.topic, options.partition)),
      topicPartition: { topic: options.topic, partition: options.partition },
      config: options.config ?? defaultLogConfig,
      logger: options.logger ?? silentLogger,
      clock: options.clock ?? Date.now,
    };
    const listed = await listOrMakeDir(io, ctx.dir, options.listed);
    const epochPath = childPath(ctx.dir, LEADER_EPOCH_CHECKPOINT_FILE);
    const epochCache = listed.includes(LEADER_EPOCH_CHECKPOINT_FILE) ? await LeaderEpochFileCache.load(io, epochPath) : LeaderEpochFileCache.empty(io, epochPath);
    const loaded = await loadLog(ctx, epochCache, options, listed);
    const producerState = new ProducerStateManager(ctx, loaded.listed);
    try {
      await loadProducerState(producerState, ctx, loaded.segments, loaded.logStartOffset, loaded.recoveredFrom);
    } catch (error) {
      for (const s of loaded.segments) await s.abandon().catch(() => {});
      throw error;
    }
    const log = new PartitionLog(ctx, loaded.segments, loaded.logStartOffset, loaded.recoveryPoint, epochCache, producerState, options.checkpointRecoveryPoint);
    log.state.pendingTopicId = options.pendingTopicId;
    log.state.directoryDirty = loaded.segmentCreated;
    // Recovery may have cut batches off, and their epochs go from the log end on;
    // after a clean shutdown nothing was cut, and an unchanged cache is not written again.
    const recovered = loaded.recoveredFrom !== undefined;
    const end = recovered ? epochCache.truncateFromEnd(log.logEndOffset) : epochCache.dropEntriesPast(log.logEndOffset);
    const start = epochCache.truncateFromStart(log.logStartOffset);
    if (end || start || recovered) await epochCache.flush();
    return log;
  }

  get config(): LogConfig {
    return this.state.ctx.config;
  }

  /** Takes effect for the next append, roll and retention pass; existing segments keep their index sizes. */
  updateConfig(config: LogConfig): void {
    this.state.ctx.config = config;
  }

  /** The offset the next batch gets (one past the last written batch). */
  get logEndOffset(): bigint {
    return logEndOffsetOf(this.state);
  }

  /** The first offset a reader may ask for. */
  get logStartOffset(): bigint {
    return this.state.logStartOffset;
  }

  /** Everything below this offset — batches and indexes — is on disk; recovery starts here. */
  get recoveryPoint(): bigint {
    return this.state.recoveryPoint;
  }

  /** Bytes in all segments. */
  get size(): number {
    return this.state.segments.sizeInBytes();
  }

  get numberOfSegments(): number {
    return this.state.segments.count;
  }

  segmentBaseOffsets(): bigint[] {
    return this.state.segments.all().map((s) => s.baseOffset);
  }

  /** The log directory this log lives in (`<data-dir>/broker-<id>`). */
  get logDir(): string {
    return this.state.ctx.io.logDir;
  }

  /** The segments as the log cleaner chooses and reads them, oldest first, the active one last. */
  segmentsForCleaning(): CleanerSegmentView[] {
    this.ensureOpen();
    return this.state.segments.all().map((s) => ({
      baseOffset: s.baseOffset,
      size: s.size,
      nextOffset: s.nextOffset,
      offsetIndexBytes: s.offsetIndex.bytes().length,
      timeIndexBytes: s.timeIndex.bytes().length,
      largestTimestamp: s.largestTimestamp(),
      firstTimestamp: s.firstTimestamp,
    }));
  }

  /**
   * Swaps in what a clean wrote (cleanLog's `.cleaned` files), atomically
   * and crash-safely — see replaceCleanedSegments. False, the clean's files
   * removed, when the segments it read changed meanwhile. Reads and appends
   * go on throughout.
   */
  replaceCleanedSegments(summary: CleanSummary): Promise<boolean> {
    this.ensureOpen();
    return replaceCleanedSegments(this.state, summary);
  }

  /**
   * Appends batches produced by clients (or, `origin` 'coordinator', by a
   * coordinator writing its own topic): validates each (one bad batch
   * rejects the append with CorruptRecordError and leaves the log as it
   * was), checks a producer batch against the producer's state (see
   * ProducerStateError; sequences for clients only; a retry of one of the
   * producer's last 5 batches is answered with the original's offsets,
   * `duplicate` set, nothing written), then assigns offsets from the log end
   * offset, stamps `leaderEpoch` (and LogAppendTime when configured) in
   * place. `records` is written as it is, not copied: it must not change
   * until the append settles.
   */
  appendAsLeader(records: Buffer, leaderEpoch: number, origin: LeaderAppendOrigin = 'client', verificationGuard?: VerificationGuard): Promise<LogAppendInfo> {
    return this.append(records, 'leader', leaderEpoch, origin, verificationGuard);
  }

  /** Whether `producerId` has a transaction open here: its next transactional batch continues it, needing no verification. */
  hasOngoingTransaction(producerId: bigint): boolean {
    return (this.state.producerState.lastEntry(producerId)?.currentTxnFirstOffset ?? -1n) >= 0n;
  }

  /**
   * The verification guard of `producerId` (Kafka's
   * maybeStartTransactionVerification): the one it holds, else a new one
   * recorded on its state. Pass it to appendAsLeader once the coordinator
   * confirmed the partition is in the producer's transaction: a marker or
   * transactional batch of the producer written meanwhile clears it, and a
   * batch beginning a transaction with a cleared guard is INVALID_TXN_STATE.
   */
  verificationGuard(producerId: bigint): VerificationGuard {
    return this.state.producerState.verificationGuard(producerId);
  }

  /**
   * Writes one transaction marker as leader in `leaderEpoch`: a control
   * batch (transactional, the producer's id and epoch, no sequence) holding
   * one COMMIT or ABORT record with the coordinator's epoch. Refused with
   * INVALID_PRODUCER_EPOCH for an epoch older than the producer's, and
   * TRANSACTION_COORDINATOR_FENCED for a coordinator epoch older than the
   * last marker's. Once written the producer's open transaction ends; an
   * abort goes to the active segment's transaction index.
   */
  appendTxnMarker(marker: TxnMarker, leaderEpoch: number): Promise<LogAppendInfo> {
    const records = encodeUncompressedRecordBatch({
      isTransactional: true,
      isControl: true,
      producerId: marker.producerId,
      producerEpoch: marker.producerEpoch,
      baseSequence: -1,
      records: [
        {
          timestamp: this.state.ctx.clock(),
          key: controlRecordKey(marker.commit ? ControlRecordType.Commit : ControlRecordType.Abort),
          value: endTxnMarkerValue(marker.coordinatorEpoch),
        },
      ],
    });
    return this.append(records, 'leader', leaderEpoch, 'coordinator');
  }

  /**
   * The first offset read_committed consumers may not read past given the
   * high watermark: the first offset of the earliest transaction still open,
   * or completed with its marker at or above `highWatermark`, but never below
   * the log start offset (DeleteRecords or retention may take the start of a
   * transaction whose later batches remain: Kafka's UnifiedLog clamps it
   * too); undefined when there is none (the last stable offset is then the
   * high watermark).
   */
  firstUnstableOffset(highWatermark: bigint): bigint | undefined {
    const first = this.state.producerState.firstUnstableOffset(highWatermark);
    const logStartOffset = this.state.logStartOffset;
    return first !== undefined && first < logStartOffset ? logStartOffset : first;
  }

  /**
   * The aborted transactions whose data lies in [startOffset, upperBoundOffset),
   * from the segments' transaction indexes (see collectAbortedTransactions):
   * what a read_committed Fetch returns beside the batches it reads.
   */
  collectAbortedTransactions(startOffset: bigint, upperBoundOffset: bigint): AbortedTransaction[] {
    this.ensureOpen();
    return collectAbortedTransactions(this.state.segments, startOffset, upperBoundOffset);
  }

  /** Every producer with state on this partition (DescribeProducers). */
  activeProducers(): ActiveProducer[] {
    return this.state.producerState.activeProducers();
  }

  /**
   * Drops the producers with no open transaction whose last batch's
   * timestamp is `producerIdExpirationMs` or more before `nowMs`; returns
   * how many. Their next batch is accepted at any sequence.
   */
  removeExpiredProducers(nowMs: number, producerIdExpirationMs: number): number {
    return this.state.producerState.removeExpiredProducers(nowMs, producerIdExpirationMs);
  }

  /**
   * Appends a leader's batches as they are: each must start at or after the
   * log end offset (UnexpectedAppendOffsetError if it goes back); gaps a
   * compacted leader's log has are kept.
   */
  appendAsFollower(records: Buffer): Promise<LogAppendInfo> {
    return this.append(records, 'follower', -1);
  }

  private append(records: Buffer, origin: AppendOrigin, leaderEpoch: number, leaderOrigin?: LeaderAppendOrigin, guard?: VerificationGuard): Promise<LogAppendInfo> {
    if (this.closedAs !== undefined) return Promise.reject(new LogClosedError(this.topicPartition, this.closedAs));
    return this.appender.append(records, origin, leaderEpoch, leaderOrigin, guard);
  }

  /**
   * Starts a new active segment at the log end offset (no-op if the active
   * one is empty). The old segment is flushed in the background, as Kafka
   * does, so the recovery point follows rolls.
   */
  roll(): Promise<void> {
    return this.appender.roll();
  }

  /**
   * Reads whole batches from the one holding `startOffset`, from a single
   * segment, as Kafka does: see LogReadOptions. Reading at the log end
   * offset (or at/after maxOffset) returns no bytes; below the log start
   * offset or past the log end offset is an OffsetOutOfRangeError. A batch
   * failing its CRC is never returned (CorruptSegmentError when it is the
   * first). The records are the caller's: a view over memory allocated for
   * this read alone (possibly larger than the view), which the log keeps no
   * reference to — a broker may move it to another thread.
   */
  async read(startOffset: bigint, options: LogReadOptions = {}): Promise<LogReadInfo> {
    this.ensureOpen();
    const logEndOffset = this.logEndOffset;
    const logStartOffset = this.state.logStartOffset;
    if (startOffset < logStartOffset || startOffset > logEndOffset) {
      throw new OffsetOutOfRangeError(this.topicPartition, startOffset, logStartOffset, logEndOffset);
    }
    const maxOffset = options.maxOffset !== undefined && options.maxOffset < logEndOffset ? options.maxOffset : logEndOffset;
    return readSegments(this.state.segments, startOffset, maxOffset, options.maxBytes ?? 1024 * 1024, options.minOneMessage ?? true);
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
    const logStartOffset = this.state.logStartOffset;
    if (timestamp === EARLIEST_TIMESTAMP) {
      return { timestamp: -1n, offset: logStartOffset, leaderEpoch: this.leaderEpochCache.epochForOffset(logStartOffset) };
    }
    if (timestamp === LATEST_TIMESTAMP) {
      return { timestamp: -1n, offset: this.logEndOffset, leaderEpoch: this.leaderEpochCache.latestEpoch() };
    }
    return findOffsetByTimestamp(this.state.segments.all(), timestamp, logStartOffset);
  }

  /**
   * ListOffsets MAX_TIMESTAMP: the greatest batch max timestamp in the log and
   * the last offset of the first batch carrying it (Kafka's
   * offsetOfMaxTimestampSoFar: the batch's last offset, not the record's —
   * reading from it returns the whole batch, which the broker decodes to
   * find the record). Each segment keeps its own from its appends, from its
   * time index and tail on reopen (a rebuild after a crash), and again after
   * truncation; a deleted segment takes its maximum with it. Segments below
   * the log start offset still count: the batch may lie below it (after
   * DeleteRecords), which the caller checks. Undefined for an empty log.
   */
  maxTimestampAndOffset(): TimestampAndOffset | undefined {
    this.ensureOpen();
    const max = maxTimestampAndOffsetOf(this.state.segments.all());
    if (max === undefined) return undefined;
    return { ...max, leaderEpoch: this.leaderEpochCache.epochForOffset(max.offset) };
  }

  /** OffsetForLeaderEpoch: see LeaderEpochFileCache.endOffsetFor. */
  endOffsetForEpoch(leaderEpoch: number): EpochEndOffset {
    return this.leaderEpochCache.endOffsetFor(leaderEpoch, this.logEndOffset);
  }

  /**
   * A new leader records that its epoch starts at the log end offset
   * (Kafka's maybeAssignEpochStartOffset), in memory only: the checkpoint
   * is written, fsynced, by the first append in the epoch before that is
   * acknowledged (PartitionLogState.epochCheckpoint). Kafka writes
   * and fsyncs it here (3.7 dropped the fsync; KAFKA-16541 put it back, an
   * unsynced checkpoint being one an OS crash can leave empty). A restarted
   * node gives every partition a new leader epoch, so here that was a
   * fsynced write per partition before the first produce. Until a batch
   * carries the epoch, its entry needs no disk:
   * - recovery rebuilds entries from the batches past the recovery point,
   *   and a flush writes the checkpoint before moving that point past a
   *   batch; what a crash can lose is an entry with no batches, which this
   *   broker leading again assigns again at the same offset (nothing was
   *   appended after it) and which following drops (truncateTo);
   * - OffsetForLeaderEpoch is answered from memory, where the leader's
   *   current epoch always is; another replica knows an epoch only from its
   *   batches or from leading it, so none asks this broker about an earlier
   *   epoch of its own that has no batches.
   */
  assignEpochStartOffset(leaderEpoch: number, startOffset: bigint): Promise<void> {
    return this.state.serial.run(async () => {
      if (this.leaderEpochCache.assign(leaderEpoch, startOffset)) this.flusher.noteBatchlessEpochChange();
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
    return truncateTo(this.state, this.flusher, targetOffset);
  }

  /**
   * Calls `listener` with the new log end offset after each truncation
   * (truncateTo, truncateFullyAndStartAt), as Kafka's log tells its cleaner
   * (maybeTruncateCheckpoint). Returns the unsubscribe function.
   */
  onTruncation(listener: (logEndOffset: bigint) => void): () => void {
    const listeners = (this.state.truncationListeners ??= new Set());
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Deletes every segment and starts an empty log at `newOffset` (a follower too far behind its leader). */
  truncateFullyAndStartAt(newOffset: bigint): Promise<void> {
    return truncateFullyAndStartAt(this.state, this.flusher, newOffset);
  }

  /**
   * DeleteRecords: moves the log start offset up to `newLogStartOffset` (at
   * most the log end offset; the broker checks the high watermark) and
   * deletes the segments wholly below it. Returns false if it was not above
   * the current log start offset.
   */
  maybeIncrementLogStartOffset(newLogStartOffset: bigint): Promise<boolean> {
    return maybeIncrementLogStartOffset(this.state, this.flusher, newLogStartOffset);
  }

  /**
   * Retention: deletes the oldest segments beyond retention.ms or
   * retention.bytes, or below the log start offset — never the active
   * segment, never one reaching the high watermark. Returns how many.
   */
  deleteOldSegments(highWatermark?: bigint): Promise<number> {
    return deleteOldSegments(this.state, this.flusher, highWatermark);
  }

  /**
   * Makes everything below `upTo` (default: the log end offset) durable —
   * batches, indexes, the directory, the producer snapshots of the rolls
   * before it — and then advances the recovery point.
   * The fsyncs run beside appends, not in their way.
   */
  flush(upTo?: bigint): Promise<void> {
    return this.flusher.flush(upTo);
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
   * (LogDirectory.deleteLog): as close, but nothing is flushed or written
   * (not even index entries), since the data is going — and on a full disk
   * a write would fail and keep the space from being freed. Later calls
   * fail with LogClosedError saying so.
   */
  closeForDeletion(): Promise<void> {
    this.closedAs = 'deleted';
    if (this.closing !== undefined) return this.closing.catch(() => {});
    this.closing = this.shutdown(false);
    return this.closing;
  }

  private async shutdown(flush: boolean): Promise<void> {
    const state = this.state;
    await state.serial.run(async () => {});
    await this.flusher.backgroundFlushesDone();
    // A flush that fails (a full disk) still lets every file close: the next open recovers what it missed.
    let failure: unknown;
    const fail = (error: unknown): void => {
      failure ??= error;
    };
    if (flush) await this.flusher.flush().catch(fail);
    await this.flusher.syncsDone();
    await state.serial.run(async () => {
      // A log that never held a batch, with no producer and no snapshot, opens to the same empty state without one.
      if (flush && !(state.producerState.emptyWithoutSnapshots && state.segments.all().every((s) => s.size === 0))) {
        await state.producerState.takeSnapshot(logEndOffsetOf(state));
      }
      await state.producerState.snapshotsDone();
      for (const segment of state.segments.all()) await (flush ? segment.close() : segment.closeForDeletion()).catch(fail);
      if (flush && this.flusher.epochCacheLagsBatches()) await this.flusher.flushEpochCache().catch(fail);
    });
    if (failure !== undefined) throw failure;
  }

  /** Reads of a closed log would use closed (or reused) file descriptors. */
  private ensureOpen(): void {
    if (this.closedAs !== undefined) throw new LogClosedError(this.topicPartition, this.closedAs);
  }
}

/**
 * The directory's names: `listed` if the caller has them; for 'new', a new
 * directory is made (listed after all if one is there: it is never taken
 * for empty unread). Without them, the directory is made if missing, then listed.
 */
async function listOrMakeDir(io: LogDirIo, dir: string, listed: readonly string[] | 'new' | undefined): Promise<readonly string[]> {
  if (listed === 'new') return (await io.mkdirNew(dir)) ? [] : io.readdir(dir);
  if (listed !== undefined) return listed;
  await io.mkdir(dir);
  return io.readdir(dir);
}
