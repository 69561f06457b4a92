import type { LogDirIo } from './log-dir-io.js';
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
 * the new file, never half of one. Not thread-safe; one owner writes it.
 */
export class CheckpointFile<T> {
  constructor(
    private readonly io: LogDirIo,
    readonly path: string,
    private readonly checkpointFormat: CheckpointFormat<T>,
  ) {}

  async write(entries: readonly T[]): Promise<void> {
    const lines = [String(this.checkpointFormat.version), String(entries.length)];
    for (const entry of entries) lines.push(this.checkpointFormat.format(entry));
    await this.io.writeFileAtomic(this.path, Buffer.from(lines.join('\n') + '\n', 'utf8'));
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
