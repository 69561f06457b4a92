import type { LogSegment, SegmentRead } from './log-segment.js';
import type { LogSegments } from './log-segments.js';

export interface LogReadOptions {
  /** Bytes to return at most, except that the first batch is returned whole (with minOneMessage). Default 1 MiB. */
  maxBytes?: number;
  /** Exclusive upper bound: the high watermark or the last stable offset. Default: the log end offset. */
  maxOffset?: bigint;
  /** Return the first batch even if it is larger than maxBytes (Kafka's minOneMessage). Default true. */
  minOneMessage?: boolean;
}

export type LogReadInfo = SegmentRead;

export interface TimestampAndOffset {
  timestamp: bigint;
  offset: bigint;
  /** Leader epoch of the batch found, if it carries one. */
  leaderEpoch: number | undefined;
}

/** ListOffsets' special timestamps. */
export const EARLIEST_TIMESTAMP = -2n;
export const LATEST_TIMESTAMP = -1n;

/**
 * Reads from the one segment holding `startOffset` (or the next one with a
 * batch at or after it), as Kafka does: one segment per read. The segment is
 * retained while read, so deleting it meanwhile does not pull it away.
 */
export async function readSegments(segments: LogSegments, startOffset: bigint, maxOffset: bigint, maxBytes: number, minOneMessage: boolean): Promise<LogReadInfo> {
  let segment = segments.floor(startOffset);
  while (segment !== undefined && startOffset < maxOffset) {
    segment.retain();
    try {
      const read = await segment.read(startOffset, maxBytes, maxOffset, minOneMessage);
      if (read !== undefined) return read;
    } finally {
      await segment.release();
    }
    segment = segments.next(segment);
  }
  return { records: Buffer.alloc(0), nextOffset: startOffset };
}

/**
 * The first batch at or after `startingOffset` whose max timestamp is >=
 * `timestamp`: segments whose newest timestamp is older are skipped, then the
 * segment's time index narrows the scan. Its base offset (not below
 * `startingOffset`), max timestamp and leader epoch.
 */
export async function findOffsetByTimestamp(segments: readonly LogSegment[], timestamp: bigint, startingOffset: bigint): Promise<TimestampAndOffset | undefined> {
  for (const segment of [...segments]) {
    if (segment.nextOffset <= startingOffset || segment.maxTimestampSoFar < timestamp) continue;
    segment.retain();
    try {
      const found = await segment.findBatchByTimestamp(timestamp, startingOffset);
      if (found !== undefined) {
        return {
          timestamp: found.maxTimestamp,
          offset: found.baseOffset > startingOffset ? found.baseOffset : startingOffset,
          leaderEpoch: found.partitionLeaderEpoch >= 0 ? found.partitionLeaderEpoch : undefined,
        };
      }
    } finally {
      await segment.release();
    }
  }
  return undefined;
}

/**
 * The greatest max timestamp of the non-empty segments, oldest first: the
 * first segment to reach it wins a tie, as each segment's own
 * offsetOfMaxTimestampSoFar keeps the first batch to reach it. The offset is
 * that batch's last offset (Kafka's offsetOfMaxTimestampSoFar), not the
 * record's. Undefined when every segment is empty.
 */
export function maxTimestampAndOffsetOf(segments: readonly LogSegment[]): { timestamp: bigint; offset: bigint } | undefined {
  let best: { timestamp: bigint; offset: bigint } | undefined;
  for (const segment of segments) {
    if (segment.size === 0) continue;
    if (best === undefined || segment.maxTimestampSoFar > best.timestamp) {
      best = { timestamp: segment.maxTimestampSoFar, offset: segment.offsetOfMaxTimestampSoFar };
    }
  }
  return best;
}
