/**
 * One clean of one log, as the broker hands it to the pool: plain data both
 * ways (offsets as decimal strings), so it crosses threads unchanged. The
 * worker reads the segments' files, writes `.cleaned` files and returns what
 * it wrote; the log's own loop swaps them in (PartitionLog.replaceCleanedSegments).
 */
export interface CleanJob {
  /** The log directory (`<data-dir>/broker-<id>`). */
  readonly logDir: string;
  /** The partition's directory under it. */
  readonly dir: string;
  /** `topic-partition`, for errors and logs. */
  readonly partition: string;
  /**
   * Every segment of the log, oldest first, the active one last, with its
   * size when the job was made: the clean reads no byte past it.
   */
  readonly segments: readonly CleanerSegment[];
  /** Where the dirty section starts: records below were cleaned before. */
  readonly firstDirtyOffset: string;
  /** Nothing at or past it is cleaned (the active segment, an open transaction, min.compaction.lag.ms). */
  readonly firstUncleanableOffset: string;
  /** Wall clock, ms: delete horizons are set from it and compared with it. */
  readonly now: number;
  /** delete.retention.ms. */
  readonly deleteRetentionMs: number;
  /** How many keys the offset map may hold (log.cleaner.dedupe.buffer.size / 24 bytes an entry × 0.9, as Kafka's). */
  readonly maxMapEntries: number;
  /** segment.bytes and segment.index.bytes: the bounds of a group of segments cleaned into one. */
  readonly segmentBytes: number;
  readonly segmentIndexBytes: number;
  /** index.interval.bytes of the new segments' offset indexes. */
  readonly indexIntervalBytes: number;
  /** log.cleaner.io.max.bytes.per.second: read and written bytes together. */
  readonly maxIoBytesPerSecond: number;
}

export interface CleanerSegment {
  readonly baseOffset: string;
  /** Bytes of the .log. */
  readonly size: number;
  /** The offset after its last batch. */
  readonly nextOffset: string;
  readonly offsetIndexBytes: number;
  readonly timeIndexBytes: number;
}

/** Segments cleaned into one: their base offsets and sizes when read, and what replaces them. */
export interface CleanedGroup {
  /** The segments replaced, with the sizes the clean read: the swap checks they are still there, unchanged. */
  readonly replaced: readonly { readonly baseOffset: string; readonly size: number }[];
  /** The new segment's base offset: the first replaced segment's. Its files are `<base>.log.cleaned` and the two indexes. */
  readonly baseOffset: string;
  readonly size: number;
}

export interface CleanSummary {
  readonly partition: string;
  readonly groups: readonly CleanedGroup[];
  /** The next clean's first dirty offset (cleaner-offset-checkpoint): the end of what the offset map covered. */
  readonly endOffset: string;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  readonly recordsRead: number;
  readonly recordsRetained: number;
}
