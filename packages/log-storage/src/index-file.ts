import { READ_WRITE_CREATE, type LogDirIo } from './log-dir-io.js';
import { offsetFilenamePrefix, segmentFilePath } from './log-file-names.js';

/**
 * What OffsetIndex and TimeIndex share (Kafka's AbstractIndex): fixed-size
 * big-endian entries kept in memory in their on-disk layout, and a file that
 * holds a prefix of them. Instead of preallocating and memory-mapping the
 * file as Kafka does, entries are appended to the file when the segment is
 * flushed, rolled or closed; segment.index.bytes still bounds the number of
 * entries, and a full index rolls the segment. A crash can leave the file
 * behind the log — harmless, as the segments past the recovery point are
 * re-indexed on open. A new segment's file is made lazily (as Kafka's
 * LazyIndex defers its own): with the first entry, or once the segment
 * holds a batch, so an idle partition's segment has none to create, open or
 * read. Not thread-safe; owned by the partition's broker loop.
 */
/**
 * The entries of an index that has none yet: shared, so an idle partition's
 * segment holds no buffer of its own (two dedicated ArrayBuffers a segment
 * were about a quarter of an idle partition's heap).
 */
const NO_ENTRIES = Buffer.alloc(0);

export abstract class IndexFile {
  protected entries: Buffer;
  protected count = 0;
  /** Entries [0, persistedCount) are in the file as they are in memory. */
  private persistedCount = 0;
  /** The file may hold entries past persistedCount that are no longer valid (after a truncation or a failed load). */
  private fileMayBeLonger = false;
  private unsynced = false;
  /** Whether the file is there: a new segment's is not until persist writes it. */
  private onDisk = true;
  /** Bumped by every truncation, so a persist that overlapped one knows its writes may be stale. */
  private generation = 0;
  readonly maxEntries: number;

  constructor(
    /** The segment's directory: the file is `<dir>/<base offset, 20 digits><suffix>`. */
    readonly dir: string,
    readonly baseOffset: bigint,
    maxIndexSize: number,
    readonly entrySize: number,
    private readonly suffix: string,
  ) {
    this.maxEntries = Math.floor(maxIndexSize / entrySize);
    this.entries = NO_ENTRIES;
  }

  /** Joined when asked for (persist, load, errors): kept, it would be ~90 bytes of each of a broker's thousands of idle segments. */
  get path(): string {
    return segmentFilePath(this.dir, this.baseOffset, this.suffix);
  }

  /** The file's name in its segment's directory. */
  get fileName(): string {
    return offsetFilenamePrefix(this.baseOffset) + this.suffix;
  }

  /** A new segment's index: no file yet (one of its name would be a leftover: the first write replaces it). */
  startsWithoutFile(): void {
    this.onDisk = false;
  }

  /** Loads an index whose file is not there, as empty: its segment holds no batch. */
  loadWithoutFile(): undefined {
    this.adopt(NO_ENTRIES);
    this.onDisk = false;
    return undefined;
  }

  get entryCount(): number {
    return this.count;
  }

  get isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  /** Adopts entries read from the file; the subclass has checked them. */
  protected adopt(bytes: Buffer): void {
    this.entries = bytes.length === 0 ? NO_ENTRIES : Buffer.from(bytes);
    this.count = bytes.length / this.entrySize;
    this.persistedCount = this.count;
    this.fileMayBeLonger = false;
  }

  /** Byte offset where the next entry goes, growing the buffer as needed. */
  protected nextSlot(): number {
    const at = this.count * this.entrySize;
    if (at + this.entrySize > this.entries.length) {
      const grown = Buffer.alloc(Math.max(this.entries.length * 2, this.entrySize * 16));
      this.entries.copy(grown, 0, 0, at);
      this.entries = grown;
    }
    this.count++;
    return at;
  }

  protected truncateToEntries(count: number): void {
    if (count >= this.count) return;
    this.count = count;
    this.generation++;
    if (this.persistedCount > count) {
      this.persistedCount = count;
      this.fileMayBeLonger = true;
    }
  }

  /** Forgets every entry, for a rebuild; the file is rewritten at the next persist. */
  reset(): void {
    this.count = 0;
    this.generation++;
    this.persistedCount = 0;
    this.fileMayBeLonger = true;
  }

  /** The bytes of the index as they belong on disk. */
  bytes(): Buffer {
    return this.entries.subarray(0, this.count * this.entrySize);
  }

  /**
   * Writes the entries the file lacks (and cuts stale ones); with `sync`,
   * makes the file durable. A file not made yet is made once there are
   * entries or `mustExist` (its segment holds batches: a segment with
   * batches and no index file is rebuilt at load).
   */
  async persist(io: LogDirIo, sync: boolean, mustExist = true): Promise<void> {
    if (!this.onDisk && this.count === 0 && !mustExist) return;
    const changed = !this.onDisk || this.fileMayBeLonger || this.persistedCount < this.count;
    if (!changed && !(sync && this.unsynced)) return;
    const generation = this.generation;
    const from = this.persistedCount;
    const to = this.count;
    const cut = this.fileMayBeLonger;
    const tail = Buffer.from(this.entries.subarray(from * this.entrySize, to * this.entrySize));
    // A file not made yet is made afresh, cutting a leftover of its name in the same call.
    const file = await io.open(this.path, this.onDisk ? READ_WRITE_CREATE : 'w+');
    this.onDisk = true;
    try {
      if (cut) await file.truncate(from * this.entrySize);
      if (tail.length > 0) await file.write([tail], from * this.entrySize);
      if (generation === this.generation) {
        this.persistedCount = to;
        this.fileMayBeLonger = false;
      } else {
        // Truncated while writing: what was just written may be stale.
        this.persistedCount = Math.min(this.persistedCount, this.count);
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

  protected relativeOffset(offset: bigint): number {
    return Number(offset - this.baseOffset);
  }
}
