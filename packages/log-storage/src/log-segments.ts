import type { LogSegment } from './log-segment.js';

/**
 * The segments of one log, ordered by base offset; the last is the active
 * segment, the only one appended to. Not thread-safe; owned by the
 * partition's broker loop.
 */
export class LogSegments {
  private list: LogSegment[];

  constructor(segments: LogSegment[]) {
    if (segments.length === 0) throw new RangeError('a log has at least one segment');
    // A copy of exactly their number: an array grown by pushes keeps room for 17 (~130 bytes of an idle log's one segment).
    this.list = segments.slice();
  }

  get active(): LogSegment {
    return this.list[this.list.length - 1]!;
  }

  get first(): LogSegment {
    return this.list[0]!;
  }

  get count(): number {
    return this.list.length;
  }

  all(): readonly LogSegment[] {
    return this.list;
  }

  /** Bytes of every segment. */
  sizeInBytes(): number {
    let total = 0;
    for (const s of this.list) total += s.size;
    return total;
  }

  /** The segment with the greatest base offset <= `offset`: the one that would hold it. */
  floor(offset: bigint): LogSegment | undefined {
    let low = 0;
    let high = this.list.length - 1;
    let found: LogSegment | undefined;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const segment = this.list[mid]!;
      if (segment.baseOffset <= offset) {
        found = segment;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  /** The segment after `segment`, if it is still in the log. */
  next(segment: LogSegment): LogSegment | undefined {
    const at = this.list.indexOf(segment);
    return at < 0 ? this.floorAbove(segment.baseOffset) : this.list[at + 1];
  }

  private floorAbove(baseOffset: bigint): LogSegment | undefined {
    return this.list.find((s) => s.baseOffset > baseOffset);
  }

  add(segment: LogSegment): void {
    this.list.push(segment);
  }

  /** Removes the first `count` segments (never the active one) and returns them. */
  removeOldest(count: number): LogSegment[] {
    return this.list.splice(0, Math.min(count, this.list.length - 1));
  }

  /** Removes every segment whose base offset is > `offset` and returns them. */
  removeAbove(offset: bigint): LogSegment[] {
    const keep = this.list.filter((s) => s.baseOffset <= offset);
    const removed = this.list.filter((s) => s.baseOffset > offset);
    this.list = keep;
    return removed;
  }

  /** Puts `segment` where the consecutive segments `replaced` are (the cleaner's swap); false if they are not all there. */
  replace(replaced: readonly LogSegment[], segment: LogSegment): boolean {
    const at = this.list.indexOf(replaced[0]!);
    if (at < 0 || replaced.some((s, i) => this.list[at + i] !== s)) return false;
    this.list.splice(at, replaced.length, segment);
    return true;
  }

  /** Replaces every segment with `segment`, returning the old ones. */
  replaceAll(segment: LogSegment): LogSegment[] {
    const removed = this.list;
    this.list = [segment];
    return removed;
  }
}
