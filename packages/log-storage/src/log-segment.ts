import { BatchChain } from './batch-chain.js';
import { scanBatches, scanBuffer, type ScanProblem, type ScannedBatch } from './batch-scanner.js';
import type { LogConfig } from './log-config.js';
import type { LogDirIo } from './log-dir-io.js';
import type { StorageFile } from './storage-file.js';
import { DELETED_FILE_SUFFIX, LOG_FILE_SUFFIX, offsetFilenamePrefix, TXN_INDEX_FILE_SUFFIX, segmentFilePath } from './log-file-names.js';
import type { Logger } from './logger.js';
import { OffsetIndex } from './offset-index.js';
import { readAtOffset } from './segment-offset-read.js';
import { CorruptSegmentError } from './storage-errors.js';
import { TimeIndex } from './time-index.js';
import { TransactionIndex } from './transaction-index.js';
import type { TopicPartition } from './topic-partition.js';

/** What every segment of one partition's log shares; `config` is replaced when the topic config changes. */
export interface SegmentContext {
  readonly io: LogDirIo;
  readonly dir: string;
  readonly topicPartition: TopicPartition;
  config: LogConfig;
  readonly logger: Logger;
  readonly clock: () => number;
}

/** A batch as the segment indexes it: its last offset, max timestamp and size. */
export interface IndexedBatch {
  lastOffset: bigint;
  maxTimestamp: bigint;
  size: number;
}

export interface SegmentRead {
  /** Whole batches, exactly as stored. */
  records: Buffer;
  /** The offset after the last batch returned. */
  nextOffset: bigint;
}

// Header scans after an index lookup cover about index.interval.bytes; a
// recovery scan reads big chunks and checks every CRC.
const LOOKUP_CHUNK = 8 * 1024;
const RECOVERY_CHUNK = 8 * 1024 * 1024;
/** A segment's max timestamp before it has a batch: one bigint, where `-1n` in each segment made one a segment. */
const NO_TIMESTAMP = -1n;
/** Whether a file of the segment's directory may be there: `listed`, the directory's names, has it, or there is no listing to tell. */
function mayBeThere(listed: readonly string[] | undefined, name: string): boolean {
  return listed === undefined || listed.includes(name);
}

/** loadIndexes' problems when an index file is not there beside a .log with batches. */
export const INDEX_FILE_MISSING = ['offset index missing', 'time index missing'] as const;

/**
 * One segment of a partition's log: `<base offset>.log` holds record batches
 * exactly as on the wire (v2, base offsets assigned), back to back, starting
 * at the segment's base offset; `.index` and `.timeindex` (OffsetIndex,
 * TimeIndex) make lookups by offset and time cheap; `.txnindex`
 * (TransactionIndex), only once the segment holds an ABORT marker, lists the
 * aborted transactions read_committed fetches skip. `size` counts only bytes
 * whose write completed, and is all a reader looks at. Readers retain the
 * segment; a segment deleted or closed while retained keeps its file open
 * until the last release. The .log may be closed while idle to keep the
 * broker within its OpenFileBudget, and reopens on its next use. Not thread-safe; owned by the partition's broker
 * loop (PartitionLog serialises every change).
 */
export class LogSegment {
  /** Bytes of complete batches. */
  size: number;
  /** The offset after the segment's last batch (its base offset when empty). */
  nextOffset: bigint;
  /** Bytes made durable by fdatasync. */
  flushedSize = 0;
  maxTimestampSoFar = NO_TIMESTAMP;
  offsetOfMaxTimestampSoFar: bigint;
  private bytesSinceLastIndexEntry = 0;
  /** Max timestamp of the first batch: segment.ms counts from it (from `created` without timestamps). */
  private firstBatchTimestamp: bigint | undefined;
  private created: number;
  private lastModified: number;
  /** The .log's size when opened, until recovery settles what of it counts. */
  private fileSize: number;
  /** A write could not be cut back: the file may hold bytes past `size` until the next write or close trims them. */
  private needsTrim = false;
  private refs = 0;
  private state: 'open' | 'closing' | 'deleted' = 'open';
  private released: Promise<void> | undefined;
  /** The index writes under way, if any (see persistIndexes). */
  private indexWrites: Promise<void> | undefined;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;

  private constructor(
    private readonly ctx: SegmentContext,
    readonly baseOffset: bigint,
    private readonly log: StorageFile,
    size: number,
    mtimeMs: number,
    readonly txnIndex: TransactionIndex,
  ) {
    this.size = size;
    this.fileSize = size;
    this.nextOffset = baseOffset;
    this.offsetOfMaxTimestampSoFar = baseOffset;
    this.created = ctx.clock();
    this.lastModified = mtimeMs;
    const maxIndexSize = ctx.config.segmentIndexBytes;
    this.offsetIndex = new OffsetIndex(ctx.dir, baseOffset, maxIndexSize);
    this.timeIndex = new TimeIndex(ctx.dir, baseOffset, maxIndexSize);
  }

  /**
   * Creates the .log of a new, empty segment (replacing a leftover of the
   * same name): now, or with `made` 'onFirstUse' by the first call that
   * needs the file (LogDirIo.uncreatedEvictable), for the first segment of a log that
   * has none, whose loss in a crash leaves what it would have held: nothing.
   * Its index files appear with their first entry, or once it holds a batch
   * (see IndexFile.persist; a leftover of their name is cut then); a
   * leftover transaction index is removed — unless `listed`, the directory's
   * names, shows there is none.
   */
  static async create(ctx: SegmentContext, baseOffset: bigint, listed?: readonly string[], made: 'now' | 'onFirstUse' = 'now'): Promise<LogSegment> {
    const txnPath = segmentFilePath(ctx.dir, baseOffset, TXN_INDEX_FILE_SUFFIX);
    if (mayBeThere(listed, offsetFilenamePrefix(baseOffset) + TXN_INDEX_FILE_SUFFIX)) await ctx.io.unlinkIfExists(txnPath);
    const path = segmentFilePath(ctx.dir, baseOffset, LOG_FILE_SUFFIX);
    const log = made === 'now' ? await ctx.io.openEvictable(path, true) : ctx.io.uncreatedEvictable(path);
    const segment = new LogSegment(ctx, baseOffset, log, 0, ctx.clock(), TransactionIndex.empty(ctx.io, ctx.dir, baseOffset, ctx.logger));
    segment.offsetIndex.startsWithoutFile();
    segment.timeIndex.startsWithoutFile();
    return segment;
  }

  /**
   * Opens an existing segment; its offset and time indexes and offsets are
   * unknown until loadIndexes or recover. Its transaction index is loaded
   * now (recovery resets and rebuilds it if it replays the segment), unless
   * `listed`, the directory's names, shows there is none. The .log is not
   * opened: its size comes from stat, and the file opens with its first use
   * (a read, a write, a flush), so an idle segment costs no descriptor.
   */
  static async open(ctx: SegmentContext, baseOffset: bigint, listed?: readonly string[]): Promise<LogSegment> {
    const path = segmentFilePath(ctx.dir, baseOffset, LOG_FILE_SUFFIX);
    const stat = await ctx.io.stat(path);
    const txnIndex = mayBeThere(listed, offsetFilenamePrefix(baseOffset) + TXN_INDEX_FILE_SUFFIX)
      ? await TransactionIndex.open(ctx.io, ctx.dir, baseOffset, ctx.logger)
      : TransactionIndex.empty(ctx.io, ctx.dir, baseOffset, ctx.logger);
    return new LogSegment(ctx, baseOffset, ctx.io.unopenedEvictable(path), stat.size, stat.mtimeMs, txnIndex);
  }

  get logPath(): string {
    return this.log.path;
  }

  /** Whether the .log is on disk: a new log's first segment makes it with the first call that needs it (create's 'onFirstUse'). */
  get logMade(): boolean {
    return this.log.made;
  }

  /**
   * Trusts the index files if they are consistent with the .log: sizes, order,
   * positions inside the file, the last offset entry naming the batch found
   * at its position. Then scans the tail after the last entry for the end
   * offset and max timestamp, checking its headers against the segment's
   * range (`limit`: the next segment's base offset). Returns why the files
   * or the tail cannot be trusted, if so (the caller then rebuilds). Aborts
   * in the transaction index past the segment's end are dropped: a
   * truncation's cut of the .txnindex, unsynced, can be lost in a crash that
   * keeps the .log's (recovery then trusts the segment, and a stale abort
   * would hide the new batches at its offsets from read_committed and refuse
   * the next abort indexed there). An empty .log needs no index file (a new
   * segment's are made lazily); `listed`, the directory's names, spares
   * reading a file that is not there.
   */
  async loadIndexes(limit: bigint | undefined, listed?: readonly string[]): Promise<string | undefined> {
    const offsetBytes = await this.indexBytes(this.offsetIndex, listed);
    if (offsetBytes === undefined && this.size > 0) return INDEX_FILE_MISSING[0];
    const offsetProblem = offsetBytes === undefined ? this.offsetIndex.loadWithoutFile() : this.offsetIndex.load(offsetBytes, this.size);
    if (offsetProblem !== undefined) return offsetProblem;
    const last = this.offsetIndex.lastEntry();
    const tail: ScannedBatch[] = [];
    const chain = BatchChain.fromIndexEntry(this.baseOffset, limit, last ?? { offset: this.baseOffset, position: 0 });
    const scan = await scanBatches(this.log, last?.position ?? 0, this.size, { verifyCrc: false, chunkSize: LOOKUP_CHUNK, chain }, (b) => {
      tail.push(b);
    });
    if (scan.problem !== undefined) return `batch at position ${scan.problem.position}: ${scan.problem.description}`;
    const nextOffset = tail.length > 0 ? tail[tail.length - 1]!.lastOffset + 1n : this.baseOffset;
    const timeBytes = await this.indexBytes(this.timeIndex, listed);
    if (timeBytes === undefined && this.size > 0) return INDEX_FILE_MISSING[1];
    const timeProblem = timeBytes === undefined ? this.timeIndex.loadWithoutFile() : this.timeIndex.load(timeBytes, nextOffset);
    if (timeProblem !== undefined) return timeProblem;

    const lastTime = this.timeIndex.lastEntry();
    if (lastTime !== undefined) {
      this.maxTimestampSoFar = lastTime.timestamp;
      this.offsetOfMaxTimestampSoFar = lastTime.offset;
    }
    const savedSize = this.size;
    this.size = last?.position ?? 0;
    this.bytesSinceLastIndexEntry = 0;
    for (const [i, batch] of tail.entries()) {
      // The batch under the last entry is indexed already; the ones after it may not be.
      if (i === 0 && last !== undefined) this.advancePast(batch);
      else this.indexBatch(batch);
    }
    this.size = savedSize;
    this.nextOffset = nextOffset;
    this.firstBatchTimestamp = await this.readFirstBatchTimestamp();
    await this.dropAbortsPastEnd();
    return undefined;
  }

  /** An index file's bytes, or undefined if it is not there (not among `listed`, when given). */
  private indexBytes(index: OffsetIndex | TimeIndex, listed: readonly string[] | undefined): Promise<Buffer | undefined> {
    if (!mayBeThere(listed, index.fileName)) return Promise.resolve(undefined);
    return this.ctx.io.readFileIfExists(index.path);
  }

  private async dropAbortsPastEnd(): Promise<void> {
    const aborts = this.txnIndex.all();
    const last = aborts[aborts.length - 1];
    if (last === undefined || last.lastOffset < this.nextOffset) return;
    this.ctx.logger.warn('Dropping transaction index entries past the end of their segment', {
      segment: this.log.path,
      nextOffset: this.nextOffset,
      lastMarkerOffset: last.lastOffset,
    });
    await this.txnIndex.truncateTo(this.nextOffset);
  }

  /**
   * Rebuilds the indexes by reading every batch — CRCs checked with
   * `verifyCrc`, headers against the segment's range (`limit`: the next
   * segment's base offset) — up to the first bad or incomplete one, which it
   * returns; it walks past one whose CRC alone fails if `passBadCrc` says so
   * (flushed data: reads refuse it). `visit` sees each batch walked (the
   * leader epoch cache is rebuilt from them). The file is left as it is:
   * `size` and `nextOffset` cover the batches walked, and the caller either
   * cuts the rest (cutTail: an unflushed tail) or keeps it (keepCorruptTail:
   * flushed data). The rebuilt indexes are made durable.
   */
  async rebuildIndexes(
    options: {
      verifyCrc: boolean;
      limit: bigint | undefined;
      passBadCrc?: (problem: ScanProblem) => boolean;
      /** The epoch of the last batch before the segment, if known: its batches may not go below it. */
      epochBefore?: number;
    },
    visit: (batch: ScannedBatch) => void,
  ): Promise<ScanProblem | undefined> {
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.maxTimestampSoFar = NO_TIMESTAMP;
    this.offsetOfMaxTimestampSoFar = this.baseOffset;
    this.firstBatchTimestamp = undefined;
    this.fileSize = this.size;
    this.size = 0;
    this.nextOffset = this.baseOffset;
    this.bytesSinceLastIndexEntry = 0;
    const chain = BatchChain.fromStart(this.baseOffset, options.limit, options.epochBefore);
    const scanOptions = { verifyCrc: options.verifyCrc, chunkSize: RECOVERY_CHUNK, chain, passBadCrc: options.passBadCrc };
    const scan = await scanBatches(this.log, 0, this.fileSize, scanOptions, (batch) => {
      this.indexBatch(batch);
      visit(batch);
    });
    await this.persistIndexes(true);
    return scan.problem;
  }

  /** Bytes in the file past the good batches rebuildIndexes found. */
  get bytesAfterGoodBatches(): number {
    return this.fileSize - this.size;
  }

  /**
   * After rebuildIndexes: removes the batch holding `offset` (at most the
   * segment's end offset) and every byte after it from the file — an
   * unflushed tail that did not survive. Returns the bytes removed.
   */
  async cutTail(offset: bigint): Promise<number> {
    const removed = this.fileSize;
    if (offset < this.nextOffset) await this.truncateTo(offset);
    else await this.log.truncate(this.size);
    await this.log.datasync();
    this.fileSize = this.size;
    return removed - this.size;
  }

  /**
   * After rebuildIndexes: keeps the bytes after the good batches — flushed
   * data, of offsets up to `endOffset` (exclusive), that failed a check.
   * Nothing there is served: a read of those offsets finds the bad batch and
   * fails with CorruptSegmentError.
   */
  keepCorruptTail(endOffset: bigint): void {
    this.size = this.fileSize;
    if (endOffset > this.nextOffset) this.nextOffset = endOffset;
  }

  /**
   * Writes `buffers` (whole batches, offsets assigned) at the end of the
   * segment in one pwritev. The bytes do not count until commitWrite: `size`,
   * and so every reader, ignores them. If the write fails, or its batches do,
   * the writer cuts them off with discardWrite before anything else is
   * written (left to the writer, which awaits the write anyway: one promise
   * step less on every append).
   */
  write(buffers: readonly Buffer[]): Promise<void> {
    if (this.needsTrim) return this.trimThenWrite(buffers);
    return this.log.write(buffers, this.size);
  }

  /**
   * write, on the calling thread: the same contract, for a write of at most
   * the LogDirIo's inlineWriteMaxBytes; false, having written nothing, when
   * a failed cut back must first be retried or the file was closed to make
   * room for others (the writer then uses write, which reopens it).
   */
  writeInline(buffers: readonly Buffer[]): boolean {
    if (this.needsTrim || !this.log.isOpen) return false;
    this.log.writeInline(buffers, this.size);
    return true;
  }

  private async trimThenWrite(buffers: readonly Buffer[]): Promise<void> {
    await this.log.truncate(this.size);
    this.needsTrim = false;
    return this.log.write(buffers, this.size);
  }

  /**
   * Cuts the file back to `size`, dropping what the last write added. If the
   * cut fails, the next write (or close) retries it first: nothing is ever
   * written after bytes that did not count.
   */
  async discardWrite(): Promise<void> {
    try {
      await this.log.truncate(this.size);
    } catch (error) {
      this.needsTrim = true;
      this.ctx.logger.warn('Could not cut back a write; retrying before the next one', { segment: this.log.path, size: this.size, error });
    }
  }

  /** Makes the last write count: its batches are indexed, `size` and the end offset move past them; `now` is the writer's clock. */
  commitWrite(batches: readonly IndexedBatch[], now: number): void {
    for (const batch of batches) this.indexBatch(batch);
    this.lastModified = now;
  }

  /** Accounts for a batch written at `size`: max timestamp, sparse index entries, size and end offset. */
  private indexBatch(batch: IndexedBatch): void {
    this.noteTimestamp(batch);
    if (this.bytesSinceLastIndexEntry > this.ctx.config.indexIntervalBytes) {
      this.offsetIndex.append(batch.lastOffset, this.size);
      this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.advancePast(batch);
  }

  private advancePast(batch: IndexedBatch): void {
    this.noteTimestamp(batch);
    this.firstBatchTimestamp ??= batch.maxTimestamp;
    this.size += batch.size;
    this.bytesSinceLastIndexEntry += batch.size;
    this.nextOffset = batch.lastOffset + 1n;
  }

  private noteTimestamp(batch: IndexedBatch): void {
    if (batch.maxTimestamp > this.maxTimestampSoFar) {
      this.maxTimestampSoFar = batch.maxTimestamp;
      this.offsetOfMaxTimestampSoFar = batch.lastOffset;
    }
  }

  private async readFirstBatchTimestamp(): Promise<bigint | undefined> {
    let first: bigint | undefined;
    await scanBatches(this.log, 0, this.size, { verifyCrc: false, chunkSize: 128 }, (b) => {
      first = b.maxTimestamp;
      return false;
    });
    return first;
  }

  /** The max timestamp of the segment's first batch, if it has one: max.compaction.lag.ms counts from it. */
  get firstTimestamp(): bigint | undefined {
    return this.firstBatchTimestamp;
  }

  /** Time the segment has been open for appends, by segment.ms's rule: batch timestamps if they have them, the wall clock if not. */
  timeWaitedForRoll(now: number, incomingMaxTimestamp: bigint): number {
    if (this.firstBatchTimestamp !== undefined && this.firstBatchTimestamp >= 0n) {
      return Number(incomingMaxTimestamp - this.firstBatchTimestamp);
    }
    return now - this.created;
  }

  /** The newest timestamp in the segment (retention.ms compares it), or the file's modification time without timestamps. */
  largestTimestamp(): bigint {
    return this.maxTimestampSoFar >= 0n ? this.maxTimestampSoFar : BigInt(Math.floor(this.lastModified));
  }

  /**
   * The first batch whose last offset is >= `offset` (the batch holding it),
   * scanning at most to `end`, from the offset index entry at or below it;
   * a header that fails its checks (offsets not following on, or reaching
   * `limit`, the segment's end offset when the read began) is corruption.
   */
  async translateOffset(offset: bigint, end = this.size, limit = this.nextOffset): Promise<ScannedBatch | undefined> {
    const entry = this.offsetIndex.lookup(offset);
    const chain = BatchChain.fromIndexEntry(this.baseOffset, limit, entry);
    let found: ScannedBatch | undefined;
    const scan = await scanBatches(this.log, entry.position, end, { verifyCrc: false, chunkSize: LOOKUP_CHUNK, chain }, (b) => {
      if (b.lastOffset < offset) return true;
      found = b;
      return false;
    });
    // A truncation that ran meanwhile shortens the file: that is not corruption.
    if (found === undefined && scan.problem !== undefined && this.size >= end) throw this.corruption(scan.problem);
    return found;
  }

  /**
   * Reads whole batches from the one holding `startOffset`: up to `maxBytes`
   * (the first batch whole even if larger, when `minOneMessage`), stopping
   * before any batch that reaches `maxOffset`. Every batch served has its CRC
   * checked, and its header against the batches before it (BatchChain): a
   * bad one is never returned; if it is the first, the read fails with
   * CorruptSegmentError. Returns undefined if the segment holds no batch at
   * or after `startOffset`.
   */
  async read(startOffset: bigint, maxBytes: number, maxOffset: bigint, minOneMessage: boolean): Promise<SegmentRead | undefined> {
    const end = this.size;
    const limit = this.nextOffset;
    const located = await readAtOffset(this.log, this.offsetIndex, startOffset, maxBytes, end, limit, LOOKUP_CHUNK);
    if (located === 'none') return undefined;
    const first = located?.batch ?? (await this.translateOffset(startOffset, end, limit));
    if (first === undefined) return undefined;
    const empty = { records: Buffer.alloc(0), nextOffset: startOffset };
    if (first.lastOffset >= maxOffset) return empty;
    let length = Math.min(maxBytes, end - first.position);
    if (length < first.size) {
      if (!minOneMessage) return empty;
      length = first.size;
    }
    const head = located?.head;
    let bytes: Buffer;
    let read: number;
    if (head !== undefined && head.length >= length) {
      bytes = head.subarray(0, length);
      read = length;
    } else {
      bytes = Buffer.allocUnsafe(length);
      const have = head === undefined ? 0 : head.copy(bytes);
      read = have + (await this.log.read(bytes.subarray(have), first.position + have, length - have));
    }
    let kept = 0;
    let nextOffset = startOffset;
    const problem = scanBuffer(bytes.subarray(0, read), BatchChain.fromBatch(this.baseOffset, limit, first.baseOffset), (batch) => {
      if (batch.lastOffset >= maxOffset) return false;
      kept = batch.position + batch.size;
      nextOffset = batch.lastOffset + 1n;
      return true;
    });
    if (kept === 0 && problem !== undefined) {
      if (read < length || this.size < end) return empty; // truncated while being read
      throw this.corruption({ position: first.position + problem.position, offset: problem.offset, description: problem.description });
    }
    return { records: bytes.subarray(0, kept), nextOffset };
  }

  /**
   * The first batch at or after `startingOffset` whose max timestamp is >=
   * `timestamp`, found through the time index then a short scan.
   */
  async findBatchByTimestamp(timestamp: bigint, startingOffset: bigint): Promise<ScannedBatch | undefined> {
    const before = this.timeIndex.lastEntryBefore(timestamp);
    const fromOffset = before !== undefined && before.offset > startingOffset ? before.offset : startingOffset;
    const entry = this.offsetIndex.lookup(fromOffset);
    const end = this.size;
    const chain = BatchChain.fromIndexEntry(this.baseOffset, this.nextOffset, entry);
    let found: ScannedBatch | undefined;
    const scan = await scanBatches(this.log, entry.position, end, { verifyCrc: false, chunkSize: LOOKUP_CHUNK, chain }, (b) => {
      if (b.lastOffset < startingOffset || b.maxTimestamp < timestamp) return true;
      found = b;
      return false;
    });
    if (found === undefined && scan.problem !== undefined && this.size >= end) throw this.corruption(scan.problem);
    return found;
  }

  /**
   * Removes the batch holding `offset` and everything after it: the segment
   * then ends on a batch boundary. Returns the bytes removed.
   */
  async truncateTo(offset: bigint): Promise<number> {
    const found = await this.translateOffset(offset);
    if (found === undefined) {
      await this.txnIndex.truncateTo(offset);
      return 0;
    }
    const removed = this.size - found.position;
    this.offsetIndex.truncateTo(found.baseOffset);
    this.timeIndex.truncateTo(found.baseOffset);
    await this.txnIndex.truncateTo(found.baseOffset);
    await this.log.truncate(found.position);
    this.size = found.position;
    this.flushedSize = Math.min(this.flushedSize, this.size);
    this.nextOffset = found.baseOffset;
    this.bytesSinceLastIndexEntry = 0;
    this.maxTimestampSoFar = NO_TIMESTAMP;
    this.offsetOfMaxTimestampSoFar = this.baseOffset;
    const lastTime = this.timeIndex.lastEntry();
    if (lastTime !== undefined) {
      this.maxTimestampSoFar = lastTime.timestamp;
      this.offsetOfMaxTimestampSoFar = lastTime.offset;
    }
    await scanBatches(this.log, this.offsetIndex.lastEntry()?.position ?? 0, this.size, { verifyCrc: false, chunkSize: LOOKUP_CHUNK }, (b) => this.noteTimestamp(b));
    if (this.size === 0) {
      this.firstBatchTimestamp = undefined;
      this.created = this.ctx.clock();
    }
    // Cut the index files now: entries for the removed batches must not outlive them on disk.
    await this.persistIndexes(false);
    return removed;
  }

  /** fdatasync of the .log alone: what an acknowledged durable append needs. */
  async syncLog(): Promise<void> {
    const target = this.size;
    if (this.flushedSize >= target) return;
    await this.log.datasync();
    if (target > this.flushedSize) this.flushedSize = target;
  }

  /**
   * Writes the index entries the files lack; with `sync`, makes .log and
   * indexes durable (the transaction index writes behind on its own).
   */
  async flush(sync: boolean): Promise<void> {
    // A deleted segment's files are gone or going: writing an index would recreate one.
    if (this.state === 'deleted') return;
    await this.persistIndexes(sync);
    if (sync) {
      await this.txnIndex.flush();
      await this.syncLog();
    }
  }

  /**
   * Writes both indexes (see IndexFile.persist: a file is made once there is
   * something for it), each failure passed to `fail` if given, else thrown.
   * A deletion waits for the writes under way, so none makes a file under
   * the old name after its files were renamed.
   */
  private persistIndexes(sync: boolean, fail?: (error: unknown) => void): Promise<void> {
    const mustExist = this.size > 0;
    const writes = (async () => {
      const offsets = this.offsetIndex.persist(this.ctx.io, sync, mustExist);
      await (fail === undefined ? offsets : offsets.catch(fail));
      const times = this.timeIndex.persist(this.ctx.io, sync, mustExist);
      await (fail === undefined ? times : times.catch(fail));
    })();
    this.indexWrites = writes.catch(() => {});
    return writes;
  }

  /** The segment stops being the active one: record its final max timestamp in the time index. */
  onBecomeInactive(): void {
    this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true);
  }

  retain(): void {
    this.refs++;
  }

  /** Ends a read; the last release of a closed or deleted segment closes (and deletes) its files. */
  async release(): Promise<void> {
    this.refs--;
    if (this.refs === 0 && this.state !== 'open') await this.finish();
  }

  /**
   * Persists the indexes, trims what a failed write left, and closes the
   * file once no reader holds it. A step that fails (a full disk) stops
   * neither the others nor the close — a file left open would hold its
   * space even once deleted — and its error is thrown after; the next open
   * rebuilds what is missing.
   */
  async close(): Promise<void> {
    if (this.state !== 'open') return;
    let failure: unknown;
    const fail = (error: unknown): void => {
      failure ??= error;
    };
    await this.persistIndexes(false, fail);
    await this.txnIndex.close().catch(fail);
    if (this.needsTrim) await this.log.truncate(this.size).then(() => (this.needsTrim = false), fail);
    this.state = 'closing';
    if (this.refs === 0) await this.finish();
    if (failure !== undefined) throw failure;
  }

  /**
   * Closes a segment whose files are about to be deleted (its log is): as
   * close, but nothing is written — on a full disk, a write would fail and
   * keep the space from being freed. Readers holding it finish first.
   */
  async closeForDeletion(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    await this.txnIndex.stopWrites();
    // Its directory is renamed next: readers still holding it read through the open .log. A file
    // that cannot be reopened fails their reads, as the deletion would have a moment later.
    if (this.refs > 0) await this.log.pin().catch(() => {});
    if (this.refs === 0) await this.finish();
  }

  /** Closes the file without persisting anything, as a crash would leave it (tests and a failed open). */
  async abandon(): Promise<void> {
    this.state = 'closing';
    await this.txnIndex.stopWrites();
    await this.log.close();
  }

  /**
   * Renames the files to `<name>.deleted` (as Kafka does, so a restart
   * finishes the job), then removes them once no reader holds the segment.
   */
  async delete(): Promise<void> {
    if (this.state === 'deleted') return;
    this.state = 'deleted';
    const io = this.ctx.io;
    // An index write under way would recreate the file under its old name.
    await this.txnIndex.stopWrites();
    await this.indexWrites;
    // Readers still holding the segment read through the open .log: its old name could not reopen it.
    if (this.refs > 0) await this.log.pin();
    for (const path of this.paths()) await io.renameIfExists(path, path + DELETED_FILE_SUFFIX);
    if (this.refs === 0) await this.finish();
  }

  /**
   * The first step of the cleaner's swap (PartitionLog.replaceCleanedSegments):
   * the files are renamed `.deleted` now, while the segment is still listed
   * and read through its open file; the swap holds it (released once the
   * cleaned segment replaces it in the list), and the last release removes
   * the files. Nothing is written to it from here on. The .log goes last: a
   * crash on the way leaves no transaction index of it beside the cleaned
   * segment taking its base offset (swap recovery deletes the files of a
   * replaced segment whose .log is still there).
   */
  async renameForSwap(): Promise<void> {
    this.retain();
    this.state = 'deleted';
    const io = this.ctx.io;
    await this.txnIndex.stopWrites();
    await this.indexWrites;
    await this.log.pin();
    for (const path of this.paths().reverse()) await io.renameIfExists(path, path + DELETED_FILE_SUFFIX);
  }

  private paths(): string[] {
    return [this.log.path, this.offsetIndex.path, this.timeIndex.path, this.txnIndex.path];
  }

  private finish(): Promise<void> {
    this.released ??= (async () => {
      await this.log.close();
      if (this.state === 'deleted') {
        for (const path of this.paths()) await this.ctx.io.unlinkIfExists(path + DELETED_FILE_SUFFIX);
      }
    })().catch((error: unknown) => {
      this.ctx.logger.error('Failed to release segment files', { segment: this.log.path, error });
    });
    return this.released;
  }

  corruption(problem: ScanProblem): CorruptSegmentError {
    return new CorruptSegmentError(this.ctx.topicPartition, problem.offset ?? this.baseOffset, this.log.path, problem.position, problem.description, this.ctx.io.logDir);
  }
}
