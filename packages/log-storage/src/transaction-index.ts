import { READ_WRITE_CREATE, type LogDirIo } from './log-dir-io.js';
import { segmentFilePath, TXN_INDEX_FILE_SUFFIX } from './log-file-names.js';
import type { Logger } from './logger.js';

/** A transaction an ABORT marker ended: its data lies in [firstOffset, lastOffset], lastOffset being the marker's offset. */
export interface AbortedTxn {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
  /** The log's last stable offset once the abort was written: every transaction starting below it had ended by then. */
  readonly lastStableOffset: bigint;
}

/** Kafka's TxnIndexSearchResult: the aborts found, and whether no later segment can hold more for the search. */
export interface TxnIndexSearchResult {
  readonly abortedTxns: AbortedTxn[];
  readonly isComplete: boolean;
}

const VERSION = 0;
/** version int16, producerId int64, firstOffset int64, lastOffset int64, lastStableOffset int64. */
export const ABORTED_TXN_SIZE = 34;
/** Where every index's chain of file operations starts: most never have one. */
const settled = Promise.resolve();

/** One entry in Kafka's layout. */
export function encodeAbortedTxn(txn: AbortedTxn, into = Buffer.alloc(ABORTED_TXN_SIZE), at = 0): Buffer {
  into.writeInt16BE(VERSION, at);
  into.writeBigInt64BE(txn.producerId, at + 2);
  into.writeBigInt64BE(txn.firstOffset, at + 10);
  into.writeBigInt64BE(txn.lastOffset, at + 18);
  into.writeBigInt64BE(txn.lastStableOffset, at + 26);
  return into;
}

/**
 * The entries of a `.txnindex` file's bytes, up to the first that is not
 * whole, not version 0, ends before it begins, or does not end after the one
 * before it; `problem` says why the rest was dropped.
 */
export function decodeAbortedTxns(bytes: Buffer): { entries: AbortedTxn[]; problem: string | undefined } {
  const entries: AbortedTxn[] = [];
  let at = 0;
  for (; at + ABORTED_TXN_SIZE <= bytes.length; at += ABORTED_TXN_SIZE) {
    const version = bytes.readInt16BE(at);
    const txn = {
      producerId: bytes.readBigInt64BE(at + 2),
      firstOffset: bytes.readBigInt64BE(at + 10),
      lastOffset: bytes.readBigInt64BE(at + 18),
      lastStableOffset: bytes.readBigInt64BE(at + 26),
    };
    const previous = entries[entries.length - 1];
    if (version !== VERSION) return { entries, problem: `entry ${entries.length} has version ${version}, only ${VERSION} is known` };
    if (txn.firstOffset > txn.lastOffset) {
      return { entries, problem: `entry ${entries.length} begins at ${txn.firstOffset} after its marker at ${txn.lastOffset}` };
    }
    if (previous !== undefined && txn.lastOffset <= previous.lastOffset) {
      return { entries, problem: `entry ${entries.length} ends at ${txn.lastOffset}, not after the one before (${previous.lastOffset})` };
    }
    entries.push(txn);
  }
  const torn = at < bytes.length ? `${bytes.length - at} bytes after the last whole entry` : undefined;
  return { entries, problem: torn };
}

/**
 * A segment's transaction index (Kafka's TransactionIndex), `<base
 * offset>.txnindex`: the aborted transactions whose ABORT marker is in the
 * segment, in marker order. An entry is 34 bytes, big-endian: version int16
 * (0), producer id int64, first offset int64, last offset (the marker's)
 * int64, last stable offset int64. A read_committed Fetch collects from it
 * the aborts overlapping what it returns.
 *
 * Entries live in memory, loaded when the segment opens; append is
 * synchronous for the caller and the file follows behind, written in order
 * by one chain of file operations (open, write, close: aborts are rare, so
 * no descriptor is held). The file exists only once an entry was appended —
 * most segments never have one — and goes when the last entry is truncated.
 * Truncation cuts the file at once; flush makes it durable. A crash can
 * leave the file torn or behind the log: the torn tail is dropped on open,
 * and recovery rebuilds the entries of the segments it replays (reset,
 * append). Not thread-safe; owned by the partition's broker loop.
 */
export class TransactionIndex {
  private entries: AbortedTxn[];
  /** Entries [0, persistedCount) are in the file as they are in memory. */
  private persistedCount: number;
  /** The file may hold bytes past persistedCount that are no longer entries (after a truncation or a torn tail). */
  private fileMayBeLonger: boolean;
  private unsynced = false;
  /** Bumped by every truncation, so a write that overlapped one knows what it wrote may be stale. */
  private generation = 0;
  private writeQueued = false;
  /** No write from now on: the segment is closed, deleted or swapped out. */
  private stopped = false;
  /** The chain every file operation runs on, in order. */
  private chain: Promise<void> = settled;

  private constructor(
    private readonly io: LogDirIo,
    /** The segment's directory: the file is `<dir>/<base offset, 20 digits><suffix>`. */
    private readonly dir: string,
    private readonly baseOffset: bigint,
    private readonly suffix: string,
    private readonly logger: Logger,
    entries: AbortedTxn[],
    fileBytes: number,
  ) {
    this.entries = entries;
    this.persistedCount = entries.length;
    this.fileMayBeLonger = fileBytes > entries.length * ABORTED_TXN_SIZE;
  }

  /**
   * An index with no entries and no file (a new segment's, or with `suffix`
   * `.txnindex.cleaned`, a cleaned one being written).
   */
  static empty(io: LogDirIo, dir: string, baseOffset: bigint, logger: Logger, suffix = TXN_INDEX_FILE_SUFFIX): TransactionIndex {
    return new TransactionIndex(io, dir, baseOffset, suffix, logger, [], 0);
  }

  /**
   * Loads the index of the segment at `baseOffset` in `dir` if its file
   * exists; a torn or garbled tail is dropped with a warning, and cut from
   * the file at the next write or flush.
   */
  static async open(io: LogDirIo, dir: string, baseOffset: bigint, logger: Logger): Promise<TransactionIndex> {
    const path = segmentFilePath(dir, baseOffset, TXN_INDEX_FILE_SUFFIX);
    const bytes = await io.readFileIfExists(path);
    if (bytes === undefined) return TransactionIndex.empty(io, dir, baseOffset, logger);
    const { entries, problem } = decodeAbortedTxns(bytes);
    if (problem !== undefined) logger.warn('Dropped the tail of a transaction index', { file: path, kept: entries.length, problem });
    return new TransactionIndex(io, dir, baseOffset, TXN_INDEX_FILE_SUFFIX, logger, entries, bytes.length);
  }

  /** Joined when asked for: kept, it would be ~90 bytes of each of a broker's thousands of idle segments. */
  get path(): string {
    return segmentFilePath(this.dir, this.baseOffset, this.suffix);
  }

  /** Adds an abort; its marker must come after the last entry's. Written to the file behind, in order. */
  append(txn: AbortedTxn): void {
    const last = this.entries[this.entries.length - 1];
    if (last !== undefined && txn.lastOffset <= last.lastOffset) {
      throw new RangeError(`transaction index ${this.path}: the abort of producer ${txn.producerId} ends at ${txn.lastOffset}, not after the last entry's ${last.lastOffset}`);
    }
    this.entries.push(txn);
    if (this.writeQueued || this.stopped) return;
    this.writeQueued = true;
    void this.enqueue(async () => {
      this.writeQueued = false;
      await this.persist(false);
    }).catch((error: unknown) => {
      this.logger.warn('Could not write a transaction index entry; the next flush retries', { file: this.path, error });
    });
  }

  /**
   * Kafka's collectAbortedTxns: the aborts with data in [startOffset,
   * upperBoundOffset) — last offset >= startOffset, first offset <
   * upperBoundOffset — in order, and complete once an entry's last stable
   * offset reaches upperBoundOffset (every transaction starting below it had
   * ended: later segments hold no abort the search wants).
   */
  collect(startOffset: bigint, upperBoundOffset: bigint): TxnIndexSearchResult {
    const abortedTxns: AbortedTxn[] = [];
    for (const txn of this.entries) {
      if (txn.lastOffset >= startOffset && txn.firstOffset < upperBoundOffset) abortedTxns.push(txn);
      if (txn.lastStableOffset >= upperBoundOffset) return { abortedTxns, isComplete: true };
    }
    return { abortedTxns, isComplete: false };
  }

  all(): readonly AbortedTxn[] {
    return this.entries;
  }

  /** Drops every entry (recovery rebuilds them); the file goes. */
  reset(): Promise<void> {
    return this.truncateToEntries(0);
  }

  /** Drops the entries whose marker is at or after `offset`, from memory and the file. */
  truncateTo(offset: bigint): Promise<void> {
    let keep = this.entries.length;
    while (keep > 0 && this.entries[keep - 1]!.lastOffset >= offset) keep--;
    return this.truncateToEntries(keep);
  }

  private truncateToEntries(count: number): Promise<void> {
    if (count < this.entries.length) {
      this.entries = this.entries.slice(0, count);
      this.generation++;
      if (this.persistedCount > count) {
        this.persistedCount = count;
        this.fileMayBeLonger = true;
      }
    }
    if (this.stopped) return this.chain;
    return this.enqueue(() => this.persist(false));
  }

  /** Writes what the file lacks and makes it durable. */
  flush(): Promise<void> {
    if (this.stopped) return this.chain;
    return this.enqueue(() => this.persist(true));
  }

  /** Writes what the file lacks, then takes no more writes (the segment closes). */
  close(): Promise<void> {
    if (this.stopped) return this.chain;
    this.stopped = true;
    return this.enqueue(() => this.persist(false, true));
  }

  /** Takes no more writes; resolves once the one under way is done: the file is about to be renamed or deleted with the segment. */
  stopWrites(): Promise<void> {
    this.stopped = true;
    return this.chain;
  }

  private enqueue(operation: () => Promise<void>): Promise<void> {
    const run = this.chain.then(operation);
    this.chain = run.catch(() => {});
    return run;
  }

  /** Brings the file in line with the entries; a write queued before the index stopped does nothing, unless it is close's. */
  private async persist(sync: boolean, closing = false): Promise<void> {
    if (this.stopped && !closing) return;
    const count = this.entries.length;
    const from = this.persistedCount;
    if (count === 0) {
      if (from === 0 && !this.fileMayBeLonger) return;
      // No entry left: no file, as for a segment that never had one.
      await this.io.unlinkIfExists(this.path);
      this.persistedCount = 0;
      this.fileMayBeLonger = false;
      this.unsynced = false;
      return;
    }
    const changed = this.fileMayBeLonger || from < count;
    if (!changed && !(sync && this.unsynced)) return;
    const generation = this.generation;
    // The first write also cuts whatever a file of the same name held before.
    const cut = this.fileMayBeLonger || from === 0;
    const tail = Buffer.alloc((count - from) * ABORTED_TXN_SIZE);
    for (let i = from; i < count; i++) encodeAbortedTxn(this.entries[i]!, tail, (i - from) * ABORTED_TXN_SIZE);
    const file = await this.io.open(this.path, READ_WRITE_CREATE);
    try {
      if (cut) await file.truncate(from * ABORTED_TXN_SIZE);
      if (tail.length > 0) await file.write([tail], from * ABORTED_TXN_SIZE);
      if (generation === this.generation) {
        this.persistedCount = count;
        this.fileMayBeLonger = false;
      } else {
        // Truncated in memory meanwhile: the next write cuts what is stale.
        this.persistedCount = Math.min(this.persistedCount, this.entries.length);
        this.fileMayBeLonger = true;
      }
      this.unsynced = true;
      if (sync) {
        await file.datasync();
        this.unsynced = false;
      }
    } finally {
      await file.close();
    }
  }
}
