import type { CleanJob } from './log-cleaner-job.js';
import type { LogConfig } from './log-config.js';
import type { CleanerSegmentView } from './partition-log.js';

/** A log as the cleaner chooses among them: its segments and offsets at the moment of choosing. */
export interface CleanerLogView {
  readonly partition: string;
  readonly config: LogConfig;
  readonly segments: readonly CleanerSegmentView[];
  readonly logStartOffset: bigint;
  readonly logEndOffset: bigint;
  /** The last stable offset (at most the high watermark): nothing at or past it is cleaned. */
  readonly lastStableOffset: bigint;
}

/** Kafka's LogToClean: where the dirty section lies, and how dirty the log is. */
export interface LogToClean {
  readonly firstDirtyOffset: bigint;
  readonly firstUncleanableOffset: bigint;
  /** Bytes of the segments below the first dirty offset. */
  readonly cleanBytes: number;
  /** Bytes of the segments from the first dirty offset to the first uncleanable one. */
  readonly cleanableBytes: number;
  /** cleanableBytes / (cleanBytes + cleanableBytes). */
  readonly cleanableRatio: number;
  /** The oldest dirty record is older than max.compaction.lag.ms. */
  readonly needCompactionNow: boolean;
}

/**
 * Kafka's LogCleanerManager.cleanableOffsets and LogToClean for one log.
 * The dirty section starts at the checkpointed first dirty offset (the log
 * start offset if there is none, or if it lies outside the log: DeleteRecords,
 * retention or truncation moved past it). It ends at the first uncleanable
 * offset: the least of the last stable offset (no open transaction, nothing
 * above the high watermark), the active segment's base offset (never
 * cleaned) and the base offset of the first dirty segment whose newest
 * record is younger than min.compaction.lag.ms.
 */
export function logToClean(log: CleanerLogView, checkpointed: bigint | undefined, now: number): LogToClean {
  const { segments, config } = log;
  const active = segments[segments.length - 1]!;
  let firstDirtyOffset = checkpointed ?? log.logStartOffset;
  if (firstDirtyOffset < log.logStartOffset || firstDirtyOffset > log.logEndOffset) firstDirtyOffset = log.logStartOffset;
  const dirtyNonActive = segments.filter((s) => s !== active && s.nextOffset > firstDirtyOffset);
  let firstUncleanableOffset = log.lastStableOffset < active.baseOffset ? log.lastStableOffset : active.baseOffset;
  if (config.minCompactionLagMs > 0) {
    const tooYoung = dirtyNonActive.find((s) => s.largestTimestamp > BigInt(now) - BigInt(config.minCompactionLagMs));
    if (tooYoung !== undefined && tooYoung.baseOffset < firstUncleanableOffset) firstUncleanableOffset = tooYoung.baseOffset;
  }
  if (firstUncleanableOffset < firstDirtyOffset) firstUncleanableOffset = firstDirtyOffset;
  let cleanBytes = 0;
  let cleanableBytes = 0;
  for (const s of segments) {
    if (s.baseOffset < firstDirtyOffset && s.nextOffset <= firstDirtyOffset) cleanBytes += s.size;
    else if (s.baseOffset < firstUncleanableOffset) cleanableBytes += s.size;
  }
  const total = cleanBytes + cleanableBytes;
  let needCompactionNow = false;
  if (config.maxCompactionLagMs > 0 && cleanableBytes > 0) {
    const earliest = dirtyNonActive.reduce<bigint | undefined>(
      (min, s) => (s.firstTimestamp !== undefined && s.firstTimestamp > 0n && (min === undefined || s.firstTimestamp < min) ? s.firstTimestamp : min),
      undefined,
    );
    needCompactionNow = earliest !== undefined && Number(BigInt(now) - earliest) > config.maxCompactionLagMs;
  }
  return {
    firstDirtyOffset,
    firstUncleanableOffset,
    cleanBytes,
    cleanableBytes,
    cleanableRatio: total === 0 ? 0 : cleanableBytes / total,
    needCompactionNow,
  };
}

/**
 * Kafka's grabFilthiestCompactedLog: of the logs with cleanup.policy
 * compact, those whose cleanable ratio is above min.cleanable.dirty.ratio
 * (strictly, as Kafka compares), or that hold dirty bytes older than
 * max.compaction.lag.ms; the one with the highest ratio.
 */
export function filthiestLog<L extends CleanerLogView>(logs: Iterable<L>, checkpointed: (log: L) => bigint | undefined, now: number): { log: L; toClean: LogToClean } | undefined {
  let best: { log: L; toClean: LogToClean } | undefined;
  for (const log of logs) {
    if (!log.config.cleanupPolicy.includes('compact')) continue;
    const toClean = logToClean(log, checkpointed(log), now);
    const due = toClean.cleanableBytes > 0 && (toClean.needCompactionNow || toClean.cleanableRatio > log.config.minCleanableDirtyRatio);
    if (due && (best === undefined || toClean.cleanableRatio > best.toClean.cleanableRatio)) best = { log, toClean };
  }
  return best;
}

/** What the broker-wide cleaner settings give each job. */
export interface CleanerJobSettings {
  /** log.cleaner.dedupe.buffer.size, shared by log.cleaner.threads. */
  readonly dedupeBufferSize: number;
  readonly threads: number;
  /** log.cleaner.io.buffer.load.factor. */
  readonly loadFactor: number;
  /** log.cleaner.io.max.bytes.per.second. */
  readonly ioMaxBytesPerSecond: number;
}

/** Bytes an entry of Kafka's SkimpyOffsetMap takes: a 16-byte MD5 of the key and an 8-byte offset. */
const OFFSET_MAP_ENTRY_BYTES = 24;

/** The job cleanLog runs for one log chosen by filthiestLog. */
export function cleanJobFor(log: CleanerLogView & { readonly logDir: string; readonly dir: string }, toClean: LogToClean, settings: CleanerJobSettings, now: number): CleanJob {
  const perThread = Math.floor(settings.dedupeBufferSize / Math.max(1, settings.threads));
  return {
    logDir: log.logDir,
    dir: log.dir,
    partition: log.partition,
    segments: log.segments.map((s) => ({
      baseOffset: String(s.baseOffset),
      size: s.size,
      nextOffset: String(s.nextOffset),
      offsetIndexBytes: s.offsetIndexBytes,
      timeIndexBytes: s.timeIndexBytes,
    })),
    firstDirtyOffset: String(toClean.firstDirtyOffset),
    firstUncleanableOffset: String(toClean.firstUncleanableOffset),
    now,
    deleteRetentionMs: log.config.deleteRetentionMs,
    maxMapEntries: Math.max(1, Math.floor((perThread / OFFSET_MAP_ENTRY_BYTES) * settings.loadFactor)),
    segmentBytes: log.config.segmentBytes,
    segmentIndexBytes: log.config.segmentIndexBytes,
    indexIntervalBytes: log.config.indexIntervalBytes,
    maxIoBytesPerSecond: settings.ioMaxBytesPerSecond,
  };
}
