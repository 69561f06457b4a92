import { checkCrcs, validateAppend, type AppendBatch, type AppendOrigin } from './append-validation.js';
import { assignOffsets, contiguityError, lastOffsetIfAppendedAt, maxTimestampOf, type LogAppendInfo, type PendingAppend } from './log-append.js';
import { LogSegment } from './log-segment.js';
import type { PartitionLogFlusher } from './partition-log-flush.js';
import { logEndOffsetOf, type PartitionLogState } from './partition-log-state.js';
import { checkLeaderProducerBatch, commitProducerState, stageFollowerProducerBatches, stageLeaderProducerBatch } from './producer-state-append.js';
import { hasProducerId } from './producer-state-batch.js';
import type { BatchMetadata, ProducerStateEntry } from './producer-state-entry.js';
import type { CorruptRecordError } from './storage-errors.js';
import type { LeaderAppendOrigin, VerificationGuard } from './transaction-types.js';

const INT32_MAX = 0x7fffffffn;
const settled = Promise.resolve();

/** Appends written together, in one pwritev, to `segment`. */
interface WriteGroup {
  segment: LogSegment;
  appends: PendingAppend[];
  buffers: Buffer[];
  /** The bytes of `buffers`. */
  bytes: number;
  /** The clock when the group was formed: LogAppendTime, flush.ms. */
  now: number;
  /** Stamped on the leader's batches; -1 under CreateTime. */
  logAppendTime: bigint;
  /** The appends whose CRCs failed, found while the write ran. */
  refused?: Map<PendingAppend, CorruptRecordError>;
  /** Retries of batches staged earlier in this write: answered with the write, requeued or failed with it. */
  duplicates?: { append: PendingAppend; info: LogAppendInfo }[];
}

/**
 * The write path of a PartitionLog. Appends queue, and each turn of the
 * writer (on the log's SerialQueue) writes every queued append that fits the
 * active segment with one pwritev of the callers' own buffers — no copy, no
 * per-append sync — rolling the segment first when it is due. A write of up
 * to the LogDirIo's inlineWriteMaxBytes is made on the loop, after its CRCs
 * are checked; a larger one goes to the thread pool and its CRCs are checked
 * while it is in flight. Either way the write counts (indexes, log end
 * offset, epoch cache, producer state, the callers' promises) only once both
 * are done, and nothing refused is ever counted: a pooled write is cut back
 * if a batch failed. A producer's retry found while a group is taken is
 * answered with the original's offsets and written nowhere (with the group
 * if the original is in it). Not thread-safe; owned by the partition's
 * broker loop.
 */
export class PartitionLogAppender {
  /** The queue of the current writer turn (started or about to start), which appends join while no other change waits for it. */
  private running: PendingAppend[] | undefined;
  /** Appends for the turn queued behind other changes (or behind the current turn, once another change waits). */
  private queued: PendingAppend[] | undefined;
  /** The group being written, or committed (one at a time); cleared when the turn moves on. */
  private inFlight: WriteGroup | undefined;
  private readonly startQueuedTurn = (): void => {
    this.running = this.queued;
    this.queued = undefined;
    this.continueTurn();
  };

  constructor(
    private readonly state: PartitionLogState,
    private readonly flusher: PartitionLogFlusher,
  ) {}

  // Not async: one promise per append on the hot path, structural checks before it is queued.
  append(records: Buffer, origin: AppendOrigin, leaderEpoch: number, leaderOrigin: LeaderAppendOrigin = 'client', verificationGuard?: VerificationGuard): Promise<LogAppendInfo> {
    let batches: AppendBatch[];
    try {
      batches = validateAppend(this.state.ctx.topicPartition, records, origin);
    } catch (error) {
      return Promise.reject(error);
    }
    let producerBatches = 0;
    for (const b of batches) if (hasProducerId(records, b.position)) producerBatches++;
    if (batches.length === 0) {
      const end = logEndOffsetOf(this.state);
      return Promise.resolve({ firstOffset: end, lastOffset: end - 1n, logAppendTime: -1n, logStartOffset: this.state.logStartOffset, validBytes: 0 });
    }
    return new Promise<LogAppendInfo>((resolve, reject) => {
      this.enqueue({
        records,
        batches,
        origin,
        leaderOrigin,
        verificationGuard,
        leaderEpoch,
        producerBatches,
        producerInfos: undefined,
        completedTxns: undefined,
        bytes: records.length,
        firstOffset: -1n,
        lastOffset: -1n,
        crcVerified: false,
        resolve,
        reject,
      });
    });
  }

  /**
   * Queues an append for a writer turn: the current one if no other change
   * waits for the log, else the one queued behind; with neither, a new turn.
   * On an idle log that turn takes the SerialQueue at once and starts from
   * the next microtask (appends of the same tick join it): no wait behind
   * the promise chain of the turn that resolved the caller's last append,
   * which has already left the queue.
   */
  private enqueue(append: PendingAppend): void {
    const serial = this.state.serial;
    if (this.running !== undefined && !serial.hasWaiting) {
      this.running.push(append);
    } else if (this.queued !== undefined) {
      this.queued.push(append);
    } else if (this.running === undefined && serial.tryEnter()) {
      this.running = [append];
      // Not queueMicrotask: Node wraps its callback in an AsyncResource, hundreds of bytes per append.
      void settled.then(this.continueTurn);
    } else {
      this.queued = [append];
      serial.enqueue(this.startQueuedTurn);
    }
  }

  /** See PartitionLog.roll. */
  roll(): Promise<void> {
    return this.state.serial.run(async () => {
      await this.rollActiveSegment();
    });
  }

  // A turn of the writer holds the log's SerialQueue and writes its queue,
  // which appends may join meanwhile, group by group, one write in flight at
  // a time. Every append passes through here, so the turn runs on promise
  // reactions to pre-bound functions (an async function would allocate its
  // frame, and save it at each await, on every append); the rare steps — a
  // roll, a failed or refused write, a new leader epoch to checkpoint — are
  // small async functions the turn resumes after. A small group is written
  // inline and committed without leaving the loop (writeInline). A large one
  // is written on the thread pool while its CRCs are computed; if the write
  // fails, it is cut back and its appends rejected; if a batch fails, the
  // write is cut back, its append rejected and the others go back to the head
  // of the queue. The turn ends, and frees the queue, as soon as its queue is
  // empty.
  private readonly continueTurn = (): void => {
    this.inFlight = undefined;
    const queue = this.running!;
    try {
      while (queue.length > 0) {
        const now = this.state.ctx.clock();
        if (this.rollDue(queue[0]!, now)) {
          this.rollFor(queue).then(this.continueTurn, this.abortTurn);
          return;
        }
        const group = this.takeGroup(queue, now);
        if (group === undefined) continue;
        this.inFlight = group;
        if (group.bytes <= this.state.ctx.io.inlineWriteMaxBytes) {
          if (!this.writeInline(group)) return;
          this.inFlight = undefined;
          continue;
        }
        group.segment.write(group.buffers).then(this.written, this.writeFailed);
        group.refused = this.crcErrors(group.appends);
        return;
      }
    } catch (error) {
      this.abortTurn(error);
      return;
    }
    this.running = undefined;
    this.state.serial.leave();
  };

  private readonly written = (): void => {
    const group = this.inFlight!;
    try {
      if (group.refused !== undefined) {
        this.cutBack(group).then(this.continueTurn, this.abortTurn);
        return;
      }
      if (!this.commit(group)) return;
    } catch (error) {
      this.abortTurn(error);
      return;
    }
    this.continueTurn();
  };

  /**
   * Writes a small group on the loop: its CRCs first (a refused append is
   * rejected before anything is written, the others go back to the head of
   * the queue), then one pwritev, then the commit. False when a step goes on
   * asynchronously — a failed write's cut back, a cut back to retry before
   * writing, a leader epoch to checkpoint — and continues the turn itself.
   */
  private writeInline(group: WriteGroup): boolean {
    const refused = this.crcErrors(group.appends);
    if (refused !== undefined) {
      for (const [append, corrupt] of refused) append.reject(corrupt);
      this.requeue(group, refused);
      return true;
    }
    try {
      if (!group.segment.writeInline(group.buffers)) {
        group.segment.write(group.buffers).then(this.written, this.writeFailed);
        return false;
      }
    } catch (error) {
      this.writeFailed(error);
      return false;
    }
    return this.commit(group);
  }

  /**
   * Makes a written group count and resolves its appends; false when a new
   * leader epoch must be checkpointed first, which continues the turn itself.
   */
  private commit(group: WriteGroup): boolean {
    for (const append of group.appends) {
      group.segment.commitWrite(append.batches, group.now);
      if (append.producerInfos !== undefined) commitProducerState(this.state.producerState, append, group.segment);
    }
    const write = this.flusher.noteWrite();
    if (this.recordEpochs(group.appends)) {
      this.flushEpochsAndResolve(group, write).then(this.continueTurn, this.abortTurn);
      return false;
    }
    this.resolveGroup(group, write);
    return true;
  }

  private readonly writeFailed = (error: unknown): void => {
    this.failGroup(this.inFlight!, error).then(this.continueTurn, this.abortTurn);
  };

  /**
   * Bugs only (disk errors reject their own appends): every append of the
   * turn not settled yet fails with the error, and the queue is freed.
   */
  private readonly abortTurn = (error: unknown): void => {
    for (const append of [...(this.inFlight?.appends ?? []), ...(this.running ?? [])]) append.reject(error);
    this.inFlight = undefined;
    this.running = undefined;
    this.state.serial.leave();
  };

  /** Rolls for the append at the head of the queue; if the roll fails, that append fails with it. */
  private async rollFor(queue: PendingAppend[]): Promise<void> {
    try {
      await this.rollActiveSegment();
    } catch (error) {
      queue.shift()!.reject(error);
    }
  }

  /** A write that failed: cut back, and every append of it rejected (with its own CRC error if it has one). */
  private async failGroup(group: WriteGroup, error: unknown): Promise<void> {
    await group.segment.discardWrite();
    for (const append of group.appends) append.reject(group.refused?.get(append) ?? error);
    if (group.duplicates !== undefined) for (const d of group.duplicates) d.append.reject(error);
  }

  /** A write some of whose batches failed their CRCs: cut back, those appends rejected, the others back at the head of the queue. */
  private async cutBack(group: WriteGroup): Promise<void> {
    const refused = group.refused!;
    await group.segment.discardWrite();
    for (const [append, corrupt] of refused) append.reject(corrupt);
    this.requeue(group, refused);
  }

  /** The appends of a group not refused, and its duplicates, back at the head of the queue to be taken (and checked) again. */
  private requeue(group: WriteGroup, refused: Map<PendingAppend, CorruptRecordError>): void {
    const again = group.appends.filter((a) => !refused.has(a));
    if (group.duplicates !== undefined) for (const d of group.duplicates) again.push(d.append);
    this.running!.unshift(...again);
  }

  private async flushEpochsAndResolve(group: WriteGroup, write: number): Promise<void> {
    await this.flusher.flushEpochCache();
    this.resolveGroup(group, write);
  }

  /** Whether the active segment must roll before the append at the head of the queue. */
  private rollDue(first: PendingAppend, now: number): boolean {
    const active = this.state.segments.active;
    if (active.size === 0) return false;
    const config = this.state.ctx.config;
    const maxTimestamp = first.origin === 'leader' && config.messageTimestampType === 'LogAppendTime' ? BigInt(now) : maxTimestampOf(first);
    return (
      active.size > config.segmentBytes - first.bytes ||
      active.timeWaitedForRoll(now, maxTimestamp) > config.segmentMs ||
      active.offsetIndex.isFull ||
      active.timeIndex.isFull ||
      lastOffsetIfAppendedAt(first, active.nextOffset) - active.baseOffset > INT32_MAX
    );
  }

  /**
   * Takes from the head of the queue as many appends as fit the active
   * segment, in one write: offsets assigned (a follower's checked), headers
   * rewritten. Appends refused here are rejected and left out.
   */
  private takeGroup(queue: PendingAppend[], now: number): WriteGroup | undefined {
    const { ctx } = this.state;
    const config = ctx.config;
    const logAppendTime = config.messageTimestampType === 'LogAppendTime' ? BigInt(now) : -1n;
    const segment = this.state.segments.active;
    const appends: PendingAppend[] = [];
    const buffers: Buffer[] = [];
    let bytes = 0;
    let next = segment.nextOffset;
    let overlay: Map<bigint, ProducerStateEntry> | undefined;
    let duplicates: WriteGroup['duplicates'];
    while (queue.length > 0) {
      const append = queue[0]!;
      const lastOffset = lastOffsetIfAppendedAt(append, next);
      if (appends.length > 0 && (segment.size + bytes + append.bytes > config.segmentBytes || lastOffset - segment.baseOffset > INT32_MAX)) break;
      queue.shift();
      if (append.origin === 'follower') {
        const mismatch = contiguityError(ctx.topicPartition, append, next);
        if (mismatch !== undefined) {
          append.reject(mismatch);
          continue;
        }
        if (append.producerBatches > 0) {
          try {
            stageFollowerProducerBatches(this.state.producerState, ctx.topicPartition, append, (overlay ??= new Map()));
          } catch (error) {
            append.reject(error);
            continue;
          }
        }
      } else {
        // LogAppendTime gets a new CRC, which would hide a bad batch: this path checks first, then rewrites.
        const corrupt = logAppendTime >= 0n ? this.crcError(append) : undefined;
        if (corrupt !== undefined) {
          append.reject(corrupt);
          continue;
        }
        if (append.producerBatches === 0) {
          assignOffsets(append, next, logAppendTime);
        } else {
          let checked: ReturnType<typeof checkLeaderProducerBatch>;
          try {
            checked = checkLeaderProducerBatch(this.state.producerState, ctx.topicPartition, append, overlay);
          } catch (error) {
            append.reject(error);
            continue;
          }
          if ('duplicate' in checked) {
            const info = this.duplicateInfo(checked.duplicate);
            if (checked.inWrite) (duplicates ??= []).push({ append, info });
            else this.answerDuplicate(append, info, this.flusher.lastWrite);
            continue;
          }
          assignOffsets(append, next, logAppendTime);
          stageLeaderProducerBatch(append, checked, (overlay ??= new Map()));
        }
      }
      // A follower's first batch may start past the log end: a gap its compacted leader has.
      append.firstOffset = append.origin === 'follower' ? append.batches[0]!.baseOffset : next;
      append.lastOffset = lastOffset;
      appends.push(append);
      buffers.push(append.records);
      bytes += append.bytes;
      next = lastOffset + 1n;
    }
    if (appends.length === 0) return undefined;
    return duplicates === undefined ? { segment, appends, buffers, bytes, now, logAppendTime } : { segment, appends, buffers, bytes, now, logAppendTime, duplicates };
  }

  /** The answer to a retry: the original batch's offsets (and LogAppendTime, which is its timestamp), nothing written. */
  private duplicateInfo(duplicate: BatchMetadata): LogAppendInfo {
    const logAppendTime = this.state.ctx.config.messageTimestampType === 'LogAppendTime' ? duplicate.timestamp : -1n;
    return { firstOffset: duplicate.firstOffset, lastOffset: duplicate.lastOffset, logAppendTime, logStartOffset: this.state.logStartOffset, validBytes: 0, duplicate: true };
  }

  /** A retry is answered as its original is: under the durable policy once the write holding the original is synced. */
  private answerDuplicate(append: PendingAppend, info: LogAppendInfo, write: number): void {
    if (this.state.ctx.config.flushPolicy === 'durable') this.flusher.waitForSync(write).then(() => append.resolve(info), append.reject);
    else append.resolve(info);
  }

  private resolveGroup(group: WriteGroup, write: number): void {
    const durable = this.state.ctx.config.flushPolicy === 'durable';
    for (const append of group.appends) {
      const info: LogAppendInfo = {
        firstOffset: append.firstOffset,
        lastOffset: append.lastOffset,
        logAppendTime: append.origin === 'leader' ? group.logAppendTime : -1n,
        logStartOffset: this.state.logStartOffset,
        validBytes: append.bytes,
      };
      if (durable) {
        this.flusher.waitForSync(write).then(() => append.resolve(info), append.reject);
      } else {
        append.resolve(info);
      }
    }
    if (group.duplicates !== undefined) for (const d of group.duplicates) this.answerDuplicate(d.append, d.info, write);
    this.flusher.maybeFlushByPolicy(group.now);
  }

  /** The appends whose CRCs do not match, with why; undefined when all do. */
  private crcErrors(appends: readonly PendingAppend[]): Map<PendingAppend, CorruptRecordError> | undefined {
    let refused: Map<PendingAppend, CorruptRecordError> | undefined;
    for (const append of appends) {
      const corrupt = this.crcError(append);
      if (corrupt !== undefined) (refused ??= new Map()).set(append, corrupt);
    }
    return refused;
  }

  /** Why the append's CRCs do not match, if they do not; each append is checked once. */
  private crcError(append: PendingAppend): CorruptRecordError | undefined {
    if (append.crcVerified) return undefined;
    const corrupt = checkCrcs(this.state.ctx.topicPartition, append.records, append.batches);
    append.crcVerified = corrupt === undefined;
    return corrupt;
  }

  /** Records the batches' leader epochs; true if the checkpoint must be written. */
  private recordEpochs(appends: readonly PendingAppend[]): boolean {
    let changed = this.state.epochCheckpoint !== 'written';
    for (const append of appends) {
      for (const b of append.batches) changed = this.state.leaderEpochCache.assign(b.partitionLeaderEpoch, b.baseOffset) || changed;
    }
    return changed;
  }

  /**
   * Starts a new active segment at the log end offset (no-op if the active
   * one is empty); the old one is flushed in the background, and the
   * recovery point checkpointed after it.
   */
  private async rollActiveSegment(): Promise<LogSegment> {
    const state = this.state;
    const active = state.segments.active;
    if (active.size === 0) return active;
    active.onBecomeInactive();
    await active.flush(false);
    const segment = await LogSegment.create(state.ctx, logEndOffsetOf(state));
    state.segments.add(segment);
    void state.producerState.takeSnapshot(segment.baseOffset);
    state.directoryDirty = true;
    this.flusher.scheduleFlush(segment.baseOffset, true);
    return segment;
  }
}
