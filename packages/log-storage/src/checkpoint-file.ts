import type { LogDirIo } from './log-dir-io.js';
import { SerialQueue } from './serial-queue.js';
import { KafkaStorageError } from './storage-errors.js';

/** How one kind of checkpoint writes and reads its entry lines. */
export interface CheckpointFormat<T> {
  readonly version: number;
  format(entry: T): string;
  /** The entry on the line, or undefined if the line is malformed. */
  parse(fields: readonly string[]): T | undefined;
}

/**
 * Kafka's checkpoint file: a text file of a version line, a count line and
 * `count` entry lines of space-separated fields, replaced atomically (write
 * `.tmp`, fsync, rename, fsync the directory) so a crash leaves the old or
 * the new file, never half of one. A write of the content the last write
 * left there is skipped. Not thread-safe; owned by one loop, whose writes
 * may overlap (see write). One CheckpointFile per path.
 */
export class CheckpointFile<T> {
  /** Writes one at a time: each replaces the file through the same `.tmp`. Made by the first write: most partitions' files are read once and left. */
  private writes: SerialQueue | undefined;
  /** The write waiting for the one in progress; calls made meanwhile join it. */
  private next: { content: Buffer; written: Promise<void> } | undefined;
  /**
   * What this object's last write left on disk, durable; undefined while a
   * write runs and after one fails (the file then holds the old content or
   * the new). Not taken from a read: a process that crashed between the
   * rename and the directory's fsync leaves a name the page cache shows and
   * an OS crash may still undo, so the first write after an open is made.
   */
  private written: Buffer | undefined;

  constructor(
    private readonly io: LogDirIo,
    readonly path: string,
    private readonly checkpointFormat: CheckpointFormat<T>,
  ) {}

  /**
   * Replaces the file with `entries` as they are at the call. Calls may
   * overlap: a call made while a write is in progress is written after it,
   * and every call made before that next write starts joins it with the
   * entries of the latest call (each write holds the whole state, so the
   * ones in between would only be overwritten). A call resolves once a
   * write of its entries, or of newer ones, is durable. With no write
   * queued or running, entries the last write already left on disk resolve
   * at once, nothing written: a periodic checkpoint of offsets that did not
   * move costs no fsync.
   */
  write(entries: readonly T[]): Promise<void> {
    const content = this.encode(entries);
    if (this.next !== undefined) {
      this.next.content = content;
      return this.next.written;
    }
    if (this.written?.equals(content)) return Promise.resolve();
    const next = { content, written: Promise.resolve() };
    this.writes ??= new SerialQueue();
    next.written = this.writes.run(async () => {
      this.next = undefined;
      this.written = undefined;
      await this.io.writeFileAtomic(this.path, next.content);
      this.written = next.content;
    });
    this.next = next;
    return next.written;
  }

  private encode(entries: readonly T[]): Buffer {
    const lines = [String(this.checkpointFormat.version), String(entries.length)];
    for (const entry of entries) lines.push(this.checkpointFormat.format(entry));
    return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
  }

  /** The entries, or none if the file does not exist; a malformed file is a KafkaStorageError. */
  async read(): Promise<T[]> {
    const bytes = await this.io.readFileIfExists(this.path);
    if (bytes === undefined) return [];
    const lines = bytes.toString('utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const malformed = (lineNumber: number, why: string): KafkaStorageError =>
      new KafkaStorageError(`Malformed checkpoint file ${this.path}, line ${lineNumber}: ${why}`, this.io.logDir);
    const version = lines[0];
    if (version !== String(this.checkpointFormat.version)) {
      throw malformed(1, `version ${JSON.stringify(version ?? '')}, expected ${this.checkpointFormat.version}`);
    }
    const countLine = lines[1] ?? '';
    const count = /^\d+$/.test(countLine) ? Number(countLine) : NaN;
    if (!Number.isSafeInteger(count)) throw malformed(2, `count ${JSON.stringify(countLine)} is not a number`);
    if (lines.length - 2 !== count) throw malformed(2, `count says ${count} entries, the file has ${lines.length - 2}`);
    const entries: T[] = [];
    for (let i = 2; i < lines.length; i++) {
      const line = lines[i]!;
      const entry = this.checkpointFormat.parse(line.trim().split(/\s+/));
      if (entry === undefined) throw malformed(i + 1, JSON.stringify(line));
      entries.push(entry);
    }
    return entries;
  }
}

/** A non-negative (or, with `allowNegative`, any) decimal int64, or undefined. */
export function parseOffsetField(text: string | undefined, allowNegative = false): bigint | undefined {
  if (text === undefined || !(allowNegative ? /^-?\d+$/ : /^\d+$/).test(text)) return undefined;
  const value = BigInt(text);
  return value <= 0x7fffffffffffffffn && value >= -0x8000000000000000n ? value : undefined;
}
