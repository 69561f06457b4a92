import type { RecordBatchHeader } from '@kstream/protocol';
import type { OffsetPosition } from './offset-index.js';

/** A batch whose epoch stands above both neighbours': the one a flipped bit may have raised. */
export interface EpochSpike {
  position: number;
  offset: bigint;
}

/**
 * What the next stored batch of a segment must look like, given the ones
 * before it. The CRC does not cover a batch's base offset or partition
 * leader epoch, so a flipped bit there passes it; the log's own rules catch
 * it: offsets never go back (a batch starts at or after the previous one's
 * last offset + 1 — after, where the log cleaner removed batches: the gaps
 * compaction leaves, which followers copy), stay in the segment's range
 * [base offset, limit) — limit being the next segment's base offset, or the
 * segment's end offset when reading — and epochs never go down. A flip that
 * moves a base offset forward inside that range looks like such a gap.
 * Scans and reads walk headers they have parsed anyway: a few comparisons.
 */
export class BatchChain {
  /**
   * Set when the epoch went down right after a batch that had raised it, to
   * no lower than before that batch: a spike one batch wide, which a flipped
   * bit in that batch makes — so the corruption may start there.
   */
  epochSpike: EpochSpike | undefined;
  private last: EpochSpike | undefined;
  /** The epoch of the batch before the last. */
  private previousEpoch: number | undefined;

  private constructor(
    private readonly segmentBase: bigint,
    private readonly limit: bigint | undefined,
    /** The lowest base offset the next batch may have, when known. */
    private next: bigint | undefined,
    /** When `next` is not known: the last offset the first batch must have (an offset index entry's). */
    private firstLast: bigint | undefined,
    private epoch: number | undefined,
  ) {}

  /** A walk from the segment's first byte; `epoch`, the last batch's of the segment before, when known (recovery reads on from it). */
  static fromStart(segmentBase: bigint, limit: bigint | undefined, epoch?: number): BatchChain {
    return new BatchChain(segmentBase, limit, segmentBase, undefined, epoch);
  }

  /** A walk from an offset index lookup: its batch ends at the entry's offset (position 0 is the segment's start). */
  static fromIndexEntry(segmentBase: bigint, limit: bigint | undefined, entry: OffsetPosition): BatchChain {
    if (entry.position === 0) return BatchChain.fromStart(segmentBase, limit);
    return new BatchChain(segmentBase, limit, undefined, entry.offset, undefined);
  }

  /** A walk from a batch found already (its base offset known). */
  static fromBatch(segmentBase: bigint, limit: bigint | undefined, baseOffset: bigint): BatchChain {
    return new BatchChain(segmentBase, limit, baseOffset, undefined, undefined);
  }

  /** The lowest base offset the next batch may have, when known. */
  get nextOffset(): bigint | undefined {
    return this.next;
  }

  /** Why `header` (of the batch at `position`) does not continue the chain, if it does not; else the chain moves past it. */
  follow(header: RecordBatchHeader, position: number): string | undefined {
    const base = header.baseOffset;
    const last = base + BigInt(header.lastOffsetDelta);
    const epoch = header.partitionLeaderEpoch;
    if (this.next !== undefined) {
      if (base < this.next) return `base offset ${base} does not follow on from the previous batch (expected ${this.next} or above: offsets never go back)`;
    } else if (this.firstLast !== undefined && last !== this.firstLast) {
      return `batch ends at offset ${last}, its offset index entry says ${this.firstLast}`;
    }
    if (base < this.segmentBase || (this.limit !== undefined && last >= this.limit)) {
      return `offsets ${base} to ${last} are outside the segment's range [${this.segmentBase}, ${this.limit ?? 'end'})`;
    }
    if (this.epoch !== undefined && epoch < this.epoch) {
      const before = this.previousEpoch;
      if (before !== undefined && this.epoch > before && epoch >= before) this.epochSpike = this.last;
      return `partition leader epoch ${epoch} is below the previous batch's ${this.epoch}`;
    }
    this.next = last + 1n;
    this.firstLast = undefined;
    this.previousEpoch = this.epoch;
    this.epoch = epoch;
    this.last = { position, offset: base };
    return undefined;
  }
}
