import { IndexFile } from './index-file.js';
import { INDEX_FILE_SUFFIX } from './log-file-names.js';

export interface OffsetPosition {
  offset: bigint;
  /** Byte position in the segment's .log of the batch whose last offset is `offset`. */
  position: number;
}

const ENTRY_SIZE = 8;

/**
 * A segment's sparse offset index (`<base offset>.index`). An entry is a
 * 4-byte relative offset (offset − segment base offset) and a 4-byte file
 * position, both big-endian, as in Kafka: the last offset of a batch and
 * where that batch starts in the .log. One entry is added every
 * index.interval.bytes of batches, so entries strictly increase in both
 * fields. Lookup finds the greatest entry at or below an offset; the caller
 * scans the few batches after it. Not thread-safe; owned by the partition's
 * broker loop.
 */
export class OffsetIndex extends IndexFile {
  static readonly ENTRY_SIZE = ENTRY_SIZE;

  /** The index of the segment at `baseOffset` in `dir`; `suffix` other than `.index` for a cleaned segment being written. */
  constructor(dir: string, baseOffset: bigint, maxIndexSize: number, suffix = INDEX_FILE_SUFFIX) {
    super(dir, baseOffset, maxIndexSize, ENTRY_SIZE, suffix);
  }

  /** Takes the file's bytes if they make a valid index for a .log of `logSize` bytes; otherwise says why not. */
  load(bytes: Buffer, logSize: number): string | undefined {
    if (bytes.length % ENTRY_SIZE !== 0) return `index size ${bytes.length} is not a multiple of ${ENTRY_SIZE}`;
    let previousOffset = -1;
    let previousPosition = -1;
    for (let at = 0; at < bytes.length; at += ENTRY_SIZE) {
      const relative = bytes.readInt32BE(at);
      const position = bytes.readInt32BE(at + 4);
      const entry = at / ENTRY_SIZE;
      if (relative <= previousOffset || position <= previousPosition) {
        return `entry ${entry} (offset ${this.baseOffset + BigInt(relative)}, position ${position}) is out of order`;
      }
      if (position >= logSize) {
        return `entry ${entry} points to position ${position}, past the end of the log (${logSize} bytes)`;
      }
      previousOffset = relative;
      previousPosition = position;
    }
    this.adopt(bytes);
    return undefined;
  }

  /** Adds an entry; a full index takes no more (lookups scan a little further until the segment rolls). */
  append(offset: bigint, position: number): void {
    if (this.isFull) return;
    const relative = this.relativeOffset(offset);
    if (this.count > 0) {
      const lastAt = (this.count - 1) * ENTRY_SIZE;
      if (relative <= this.entries.readInt32BE(lastAt) || position <= this.entries.readInt32BE(lastAt + 4)) {
        const last = this.entry(this.count - 1);
        throw new RangeError(`offset index ${this.path}: entry (${offset}, ${position}) does not follow (${last.offset}, ${last.position})`);
      }
    }
    const at = this.nextSlot();
    this.entries.writeInt32BE(relative, at);
    this.entries.writeInt32BE(position, at + 4);
  }

  entry(index: number): OffsetPosition {
    const at = index * ENTRY_SIZE;
    return { offset: this.baseOffset + BigInt(this.entries.readInt32BE(at)), position: this.entries.readInt32BE(at + 4) };
  }

  lastEntry(): OffsetPosition | undefined {
    return this.count === 0 ? undefined : this.entry(this.count - 1);
  }

  /** The greatest entry whose offset is <= `target`, or (base offset, 0) when there is none. */
  lookup(target: bigint): OffsetPosition {
    const slot = this.largestAtOrBelow(target);
    return slot < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(slot);
  }

  /** The smallest entry whose offset is >= `target`, or undefined when there is none. */
  lookupAtOrAbove(target: bigint): OffsetPosition | undefined {
    const slot = this.largestAtOrBelow(target - 1n) + 1;
    return slot < this.count ? this.entry(slot) : undefined;
  }

  /** Drops the entries at or above `offset`. */
  truncateTo(offset: bigint): void {
    this.truncateToEntries(this.largestAtOrBelow(offset - 1n) + 1);
  }

  private largestAtOrBelow(target: bigint): number {
    if (target < this.baseOffset) return -1;
    const relative = target - this.baseOffset > 0x7fffffffn ? 0x7fffffff : Number(target - this.baseOffset);
    let low = 0;
    let high = this.count - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if (this.entries.readInt32BE(mid * ENTRY_SIZE) <= relative) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }
}
