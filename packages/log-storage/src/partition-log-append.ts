import { checkCrcs, validateAppend, type AppendBatch, type AppendOrigin } from './append-validation.js';
import { assignOffsets, contiguityError, lastOffsetIfAppendedAt, maxTimestampOf, type LogAppendInfo, type PendingAppend } from './log-append.js';
import { LogSegment, type IndexedBatch } from './log-segment.js';
import type { PartitionLogFlusher } from './partition-log-flush.js';
import { logEndOffsetOf, type PartitionLogState } from './partition-log-state.js';
import type { CorruptRecordError } from './storage-errors.js';

const INT32_MAX = 0x7fffffffn;

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
      this.pending.push({ records, batches, origin, leaderEpoch, bytes: records.length, crcVerified: false, resolve, reject });
      if (!this.drainScheduled) {
        this.drainScheduled = true;
        void this.state.serial.run(() => this.drain());
      }
    });
  }

  /** See PartitionLog.roll. */
  roll(): Promise<void> {
    return this.state.serial.run(async () => {
      await this.rollActiveSegment();
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
    const { ctx } = this.state;
    const config = ctx.config;
    const now = ctx.clock();
    const logAppendTime = config.messageTimestampType === 'LogAppendTime' ? BigInt(now) : -1n;
    let active = this.state.segments.active;
    const first = queue[0]!;
    try {
      const firstMaxTimestamp = first.origin === 'leader' && logAppendTime >= 0n ? logAppendTime : maxTimestampOf(first);
      if (this.shouldRoll(active, first.bytes, firstMaxTimestamp, lastOffsetIfAppendedAt(first, logEndOffsetOf(this.state)), now)) {
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
    let next = logEndOffsetOf(this.state);
    while (queue.length > 0) {
      const append = queue[0]!;
      const lastOffset = lastOffsetIfAppendedAt(append, next);
      if (members.length > 0 && (active.size + bytes + append.bytes > config.segmentBytes || lastOffset - active.baseOffset > INT32_MAX)) break;
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
    const write = this.flusher.noteWrite();
    if (this.recordEpochs(members)) await this.flusher.flushEpochCache();

    for (const { append, firstOffset, lastOffset } of members) {
      const info: LogAppendInfo = {
        firstOffset,
        lastOffset,
        logAppendTime: append.origin === 'leader' ? logAppendTime : -1n,
        logStartOffset: this.state.logStartOffset,
        validBytes: append.bytes,
      };
      if (config.flushPolicy === 'durable') {
        this.flusher.waitForSync(write).then(() => append.resolve(info), append.reject);
      } else {
        append.resolve(info);
      }
    }
    this.flusher.maybeFlushByPolicy(now);
  }

  /** Why the append's CRCs do not match, if they do not; each append is checked once. */
  private crcError(append: PendingAppend): CorruptRecordError | undefined {
    if (append.crcVerified) return undefined;
    const corrupt = checkCrcs(this.state.ctx.topicPartition, append.records, append.batches);
    append.crcVerified = corrupt === undefined;
    return corrupt;
  }

  private shouldRoll(active: LogSegment, bytes: number, maxTimestamp: bigint, lastOffset: bigint, now: number): boolean {
    if (active.size === 0) return false;
    const config = this.state.ctx.config;
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
    let changed = this.state.epochCacheDirty;
    for (const { append } of members) {
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
