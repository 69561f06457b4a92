import { checkCrcs, validateAppend, type AppendBatch, type AppendOrigin } from './append-validation.js';
import { assignOffsets, contiguityError, lastOffsetIfAppendedAt, maxTimestampOf, type LogAppendInfo, type PendingAppend } from './log-append.js';
import { LogSegment } from './log-segment.js';
import type { PartitionLogFlusher } from './partition-log-flush.js';
import { logEndOffsetOf, type PartitionLogState } from './partition-log-state.js';
import type { CorruptRecordError } from './storage-errors.js';

const INT32_MAX = 0x7fffffffn;

/** Appends written together, in one pwritev, to `segment`. */
interface WriteGroup {
  segment: LogSegment;
  appends: PendingAppend[];
  buffers: Buffer[];
  /** The clock when the group was formed: LogAppendTime, flush.ms. */
  now: number;
  /** Stamped on the leader's batches; -1 under CreateTime. */
  logAppendTime: bigint;
}

/**
 * The write path of a PartitionLog. Appends queue, and each turn of the
 * writer (on the log's SerialQueue) writes every queued append that fits the
 * active segment with one pwritev of the callers' own buffers — no copy, no
 * per-append sync — rolling the segment first when it is due. The CRCs are
 * checked while that write is in flight; the write counts (indexes, log end
 * offset, epoch cache, the callers' promises) only once both are done, and
 * is cut back if a batch failed. Not thread-safe; owned by the partition's
 * broker loop.
 */
export class PartitionLogAppender {
  private pending: PendingAppend[] = [];
  private drainScheduled = false;
  private readonly drainTask = (): Promise<void> => this.drain();

  constructor(
    private readonly state: PartitionLogState,
    private readonly flusher: PartitionLogFlusher,
  ) {}

  // Not async: one promise per append on the hot path, structural checks before it is queued.
  append(records: Buffer, origin: AppendOrigin, leaderEpoch: number): Promise<LogAppendInfo> {
    let batches: AppendBatch[];
    try {
      batches = validateAppend(this.state.ctx.topicPartition, records, origin);
    } catch (error) {
      return Promise.reject(error);
    }
    if (batches.length === 0) {
      const end = logEndOffsetOf(this.state);
      return Promise.resolve({ firstOffset: end, lastOffset: end - 1n, logAppendTime: -1n, logStartOffset: this.state.logStartOffset, validBytes: 0 });
    }
    return new Promise<LogAppendInfo>((resolve, reject) => {
      this.pending.push({ records, batches, origin, leaderEpoch, bytes: records.length, firstOffset: -1n, lastOffset: -1n, crcVerified: false, resolve, reject });
      if (!this.drainScheduled) {
        this.drainScheduled = true;
        void this.state.serial.run(this.drainTask);
      }
    });
  }

  /** See PartitionLog.roll. */
  roll(): Promise<void> {
    return this.state.serial.run(async () => {
      await this.rollActiveSegment();
    });
  }

  // Every append passes through the functions below: the async ones keep
  // few locals (an async function's frame is saved on the heap at each
  // await) and only the roll awaits when nothing is due.
  private async drain(): Promise<void> {
    this.drainScheduled = false;
    const queue = this.pending;
    this.pending = [];
    while (queue.length > 0) {
      const now = this.state.ctx.clock();
      if (this.rollDue(queue[0]!, now) && !(await this.rollFor(queue))) continue;
      const group = this.takeGroup(queue, now);
      if (group !== undefined) await this.writeGroup(group, queue);
    }
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

  /** Rolls for the append at the head of the queue; if the roll fails, that append fails with it. */
  private async rollFor(queue: PendingAppend[]): Promise<boolean> {
    try {
      await this.rollActiveSegment();
      return true;
    } catch (error) {
      queue.shift()!.reject(error);
      return false;
    }
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
      } else {
        // LogAppendTime gets a new CRC, which would hide a bad batch: this path checks first, then rewrites.
        const corrupt = logAppendTime >= 0n ? this.crcError(append) : undefined;
        if (corrupt !== undefined) {
          append.reject(corrupt);
          continue;
        }
        assignOffsets(append, next, logAppendTime);
      }
      append.firstOffset = next;
      append.lastOffset = lastOffset;
      appends.push(append);
      buffers.push(append.records);
      bytes += append.bytes;
      next = lastOffset + 1n;
    }
    return appends.length === 0 ? undefined : { segment, appends, buffers, now, logAppendTime };
  }

  /**
   * Writes a group in one pwritev, checking its CRCs while the write is in
   * flight. If a batch fails, the write is cut back, its append rejected and
   * the others go back to the head of the queue.
   */
  private async writeGroup(group: WriteGroup, queue: PendingAppend[]): Promise<void> {
    // The write runs on the thread pool while the CRCs are computed here.
    const writing = group.segment.write(group.buffers);
    const refused = this.crcErrors(group.appends);
    try {
      await writing;
    } catch (error) {
      for (const append of group.appends) append.reject(refused?.get(append) ?? error);
      return;
    }
    if (refused !== undefined) {
      await group.segment.discardWrite();
      for (const [append, corrupt] of refused) append.reject(corrupt);
      queue.unshift(...group.appends.filter((a) => !refused.has(a)));
      return;
    }
    for (const append of group.appends) group.segment.commitWrite(append.batches);
    const write = this.flusher.noteWrite();
    if (this.recordEpochs(group.appends)) await this.flusher.flushEpochCache();
    this.resolveGroup(group, write);
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
    let changed = this.state.epochCacheDirty;
    for (const append of appends) {
      for (const b of append.batches) changed = this.state.leaderEpochCache.assign(b.partitionLeaderEpoch, b.baseOffset) || changed;
    }
    return changed;
  }

  /**
   * Starts a new active segment at the log end offset (no-op if the active
   * one is empty); the old one is flushed in the background.
   */
  private async rollActiveSegment(): Promise<LogSegment> {
    const state = this.state;
    const active = state.segments.active;
    if (active.size === 0) return active;
    active.onBecomeInactive();
    await active.flush(false);
    const segment = await LogSegment.create(state.ctx, logEndOffsetOf(state));
    state.segments.add(segment);
    state.directoryDirty = true;
    this.flusher.scheduleFlush(segment.baseOffset);
    return segment;
  }
}
