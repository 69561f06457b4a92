import type { LogConfig } from './log-config.js';
import type { LogSegment } from './log-segment.js';

/**
 * How many of the oldest segments retention deletes: the longest prefix
 * that breaches retention.ms (newest timestamp older than the limit),
 * retention.bytes (the log stays larger than the limit without it), or the
 * log start offset (every offset in it is below). A segment is eligible only
 * if it is not the active one and lies wholly below the high watermark, as
 * in Kafka. Time and size apply only under cleanup.policy delete (alone or
 * with compact): a compact-only log keeps its segments for the cleaner.
 */
export function retentionBreaches(segments: readonly LogSegment[], config: LogConfig, now: number, logStartOffset: bigint, highWatermark: bigint): number {
  const eligible: LogSegment[] = [];
  for (let i = 0; i < segments.length - 1; i++) {
    if (segments[i + 1]!.baseOffset > highWatermark) break;
    eligible.push(segments[i]!);
  }

  const deletes = config.cleanupPolicy.includes('delete');
  let byTime = 0;
  if (deletes && config.retentionMs >= 0) {
    const limit = BigInt(now) - BigInt(config.retentionMs);
    while (byTime < eligible.length && eligible[byTime]!.largestTimestamp() < limit) byTime++;
  }

  let bySize = 0;
  if (deletes && config.retentionBytes >= 0) {
    let excess = segments.reduce((total, s) => total + s.size, 0) - config.retentionBytes;
    while (bySize < eligible.length && excess - eligible[bySize]!.size >= 0) {
      excess -= eligible[bySize]!.size;
      bySize++;
    }
  }

  return Math.max(byTime, bySize, segmentsBelow(segments, logStartOffset));
}

/** How many of the oldest segments hold only offsets below `offset` (never the active one). */
export function segmentsBelow(segments: readonly LogSegment[], offset: bigint): number {
  let count = 0;
  while (count < segments.length - 1 && segments[count + 1]!.baseOffset <= offset) count++;
  return count;
}
