import { lastOffsetOf, readBatchHeader } from '@kstream/protocol';
import type { LogDirIo } from './log-dir-io.js';
import type { StorageFile } from './storage-file.js';
import { CLEANED_FILE_SUFFIX, INDEX_FILE_SUFFIX, LOG_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX, TXN_INDEX_FILE_SUFFIX, segmentFilePath } from './log-file-names.js';
import type { CleanerThrottle } from './log-cleaner-throttle.js';
import { silentLogger } from './logger.js';
import { OffsetIndex } from './offset-index.js';
import { TimeIndex } from './time-index.js';
import { TransactionIndex } from './transaction-index.js';

const WRITE_CHUNK = 1024 * 1024;

/**
 * Writes one cleaned segment: `<base>.log.cleaned` with its offset and time
 * indexes (`.index.cleaned`, `.timeindex.cleaned`), batches appended in
 * order, index entries made as the log makes them (one every
 * index.interval.bytes, the time index's last entry the segment's max
 * timestamp), and `.txnindex.cleaned` only if the clean keeps an abort's
 * entry (txnIndex, fed by CleanedTransactions). finish() makes them all
 * durable: only then may they be renamed `.swap`. Owned by one clean.
 */
export class CleanedSegmentWriter {
  size = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private written = 0;
  private bytesSinceLastIndexEntry = 0;
  private maxTimestamp = -1n;
  private offsetOfMaxTimestamp: bigint;
  private readonly offsetIndex: OffsetIndex;
  private readonly timeIndex: TimeIndex;
  readonly txnIndex: TransactionIndex;

  private constructor(
    private readonly io: LogDirIo,
    dir: string,
    private readonly file: StorageFile,
    readonly baseOffset: bigint,
    private readonly indexIntervalBytes: number,
    maxIndexBytes: number,
    private readonly throttle: CleanerThrottle,
  ) {
    this.offsetOfMaxTimestamp = baseOffset;
    this.offsetIndex = new OffsetIndex(dir, baseOffset, maxIndexBytes, INDEX_FILE_SUFFIX + CLEANED_FILE_SUFFIX);
    this.timeIndex = new TimeIndex(dir, baseOffset, maxIndexBytes, TIME_INDEX_FILE_SUFFIX + CLEANED_FILE_SUFFIX);
    this.txnIndex = TransactionIndex.empty(io, dir, baseOffset, silentLogger, TXN_INDEX_FILE_SUFFIX + CLEANED_FILE_SUFFIX);
  }

  static async create(
    io: LogDirIo,
    dir: string,
    baseOffset: bigint,
    options: { indexIntervalBytes: number; maxIndexBytes: number },
    throttle: CleanerThrottle,
  ): Promise<CleanedSegmentWriter> {
    const file = await io.open(segmentFilePath(dir, baseOffset, LOG_FILE_SUFFIX + CLEANED_FILE_SUFFIX), 'w+');
    const writer = new CleanedSegmentWriter(io, dir, file, baseOffset, options.indexIntervalBytes, options.maxIndexBytes, throttle);
    // A transaction index file appears only with an entry: a leftover of a failed clean must not pass for this one's.
    await io.unlinkIfExists(writer.txnIndex.path);
    // Both index files exist even when they get no entry, as a segment's do.
    for (const path of [writer.offsetIndex.path, writer.timeIndex.path]) await (await io.open(path, 'w')).close();
    return writer;
  }

  get paths(): string[] {
    return [this.file.path, this.offsetIndex.path, this.timeIndex.path, this.txnIndex.path];
  }

  /** Appends one whole batch (copied: the caller's view may be reused). */
  async append(batch: Buffer): Promise<void> {
    const header = readBatchHeader(batch)!;
    const lastOffset = lastOffsetOf(header);
    if (header.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = header.maxTimestamp;
      this.offsetOfMaxTimestamp = lastOffset;
    }
    if (this.bytesSinceLastIndexEntry > this.indexIntervalBytes) {
      this.offsetIndex.append(lastOffset, this.size);
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.pending.push(Buffer.from(batch));
    this.pendingBytes += batch.length;
    this.size += batch.length;
    this.bytesSinceLastIndexEntry += batch.length;
    if (this.pendingBytes >= WRITE_CHUNK) await this.writePending();
  }

  private async writePending(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const buffers = this.pending;
    const bytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    await this.file.write(buffers, this.written);
    this.written += bytes;
    await this.throttle.maybeThrottle(bytes);
  }

  /** Writes what is buffered, the indexes, and fsyncs every file; then closes the .log. */
  async finish(): Promise<void> {
    await this.writePending();
    if (this.maxTimestamp >= 0n) this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp, true);
    await this.offsetIndex.persist(this.io, true);
    await this.timeIndex.persist(this.io, true);
    await this.txnIndex.flush();
    await this.txnIndex.stopWrites();
    await this.file.datasync();
    await this.file.close();
  }

  /** Closes and removes the files of a clean that failed. */
  async abandon(): Promise<void> {
    await this.txnIndex.stopWrites();
    await this.file.close().catch(() => {});
    for (const path of this.paths) await this.io.unlinkIfExists(path).catch(() => {});
  }
}
