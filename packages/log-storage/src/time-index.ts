import { IndexFile } from './index-file.js';
import { TIME_INDEX_FILE_SUFFIX } from './log-file-names.js';

export interface TimestampOffset {
  timestamp: bigint;
  offset: bigint;
}

const ENTRY_SIZE = 12;

/**
 * A segment's sparse time index (`<base offset>.timeindex`). An entry is an
 * 8-byte timestamp and a 4-byte relative offset, big-endian, as in Kafka:
 * the greatest batch max timestamp seen so far in the segment and the last
 * offset of the batch that carried it. Entries are added beside offset index
 * entries, and only when the timestamp grows, so both fields increase; when
 * the segment rolls a last entry records its final max timestamp. Not
 * thread-safe; owned by the partition's broker loop.
 */
export class TimeIndex extends IndexFile {
  static readonly ENTRY_SIZE = ENTRY_SIZE;

  /** The index of the segment at `baseOffset` in `dir`; `suffix` other than `.timeindex` for a cleaned segment being written. */
  constructor(dir: string, baseOffset: bigint, maxIndexSize: number, suffix = TIME_INDEX_FILE_SUFFIX) {
    super(dir, baseOffset, maxIndexSize, ENTRY_SIZE, suffix);
  }

  /** Takes the file's bytes if they make a valid index for a segment whose offsets end before `nextOffset`; otherwise says why not. */
  load(bytes: Buffer, nextOffset: bigint): string | undefined {
    if (bytes.length % ENTRY_SIZE !== 0) return `time index size ${bytes.length} is not a multiple of ${ENTRY_SIZE}`;
    let previousTimestamp: bigint | undefined;
    let previousOffset = 0;
    for (let at = 0; at < bytes.length; at += ENTRY_SIZE) {
      const timestamp = bytes.readBigInt64BE(at);
      const relative = bytes.readInt32BE(at + 8);
      const entry = at / ENTRY_SIZE;
      if ((previousTimestamp !== undefined && timestamp <= previousTimestamp) || relative < previousOffset) {
        return `time index entry ${entry} (${timestamp}, offset ${this.baseOffset + BigInt(relative)}) is out of order`;
      }
      if (this.baseOffset + BigInt(relative) >= nextOffset) {
        return `time index entry ${entry} names offset ${this.baseOffset + BigInt(relative)}, past the segment's end ${nextOffset}`;
      }
      previousTimestamp = timestamp;
      previousOffset = relative;
    }
    this.adopt(bytes);
    return undefined;
  }

  /**
   * Records that the max timestamp so far is `timestamp`, reached at `offset`,
   * if it beats the last entry. A full index takes no more, except the final
   * entry written when the segment rolls (`evenIfFull`).
   */
  maybeAppend(timestamp: bigint, offset: bigint, evenIfFull = false): void {
    if (this.isFull && !evenIfFull) return;
    // Checked before anything is computed: on most calls the max timestamp has not grown.
    if (this.count > 0 && timestamp <= this.entries.readBigInt64BE((this.count - 1) * ENTRY_SIZE)) return;
    const relative = this.relativeOffset(offset);
    if (this.count > 0) {
      const lastAt = (this.count - 1) * ENTRY_SIZE;
      if (relative < this.entries.readInt32BE(lastAt + 8)) {
        throw new RangeError(`time index ${this.path}: offset ${offset} goes back from ${this.entry(this.count - 1).offset}`);
      }
    }
    const at = this.nextSlot();
    this.entries.writeBigInt64BE(timestamp, at);
    this.entries.writeInt32BE(relative, at + 8);
  }

  entry(index: number): TimestampOffset {
    const at = index * ENTRY_SIZE;
    return {
      timestamp: this.entries.readBigInt64BE(at),
      offset: this.baseOffset + BigInt(this.entries.readInt32BE(at + 8)),
    };
  }

  lastEntry(): TimestampOffset | undefined {
    return this.count === 0 ? undefined : this.entry(this.count - 1);
  }

  /** The greatest entry whose timestamp is < `timestamp`: every batch up to its offset is older than `timestamp`. */
  lastEntryBefore(timestamp: bigint): TimestampOffset | undefined {
    let low = 0;
    let high = this.count - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if (this.entries.readBigInt64BE(mid * ENTRY_SIZE) < timestamp) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found < 0 ? undefined : this.entry(found);
  }

  /** Drops the entries whose offset is at or above `offset`. */
  truncateTo(offset: bigint): void {
    let keep = this.count;
    while (keep > 0 && this.entry(keep - 1).offset >= offset) keep--;
    this.truncateToEntries(keep);
  }
}
