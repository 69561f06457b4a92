export type TimestampType = 'CreateTime' | 'LogAppendTime';

/** cleanup.policy's values: delete runs retention, compact runs the log cleaner; a topic may have both. */
export type CleanupPolicy = 'compact' | 'delete';

/**
 * page-cache: an append resolves once its bytes are in the OS page cache;
 * the OS writes them back, the log fsyncs old segments when it rolls and
 * everything at a clean close (Kafka's default). durable: an append resolves
 * only after fdatasync; one sync serves every append waiting for it.
 */
export type FlushPolicy = 'page-cache' | 'durable';

/** The settings of one partition's log, under Kafka's topic config names and defaults. */
export interface LogConfig {
  /** segment.bytes: roll the active segment before it exceeds this size. */
  readonly segmentBytes: number;
  /** segment.ms: roll the active segment once its first batch is this old. */
  readonly segmentMs: number;
  /** segment.index.bytes: the most bytes an offset or time index may hold; a full index rolls the segment. */
  readonly segmentIndexBytes: number;
  /** index.interval.bytes: bytes of batches between two offset index entries. */
  readonly indexIntervalBytes: number;
  /** retention.ms: delete segments whose newest timestamp is older; -1 keeps them forever. */
  readonly retentionMs: number;
  /** retention.bytes: delete the oldest segments while the log is larger; -1 means no limit. */
  readonly retentionBytes: number;
  /** message.timestamp.type: LogAppendTime makes the broker's clock the batches' max timestamp. */
  readonly messageTimestampType: TimestampType;
  /** flush.messages: fsync once this many messages are not yet flushed. */
  readonly flushMessages: number;
  /** flush.ms: fsync once the last flush is this old. */
  readonly flushMs: number;
  /** flush.policy (kstream's own key): page-cache or durable. */
  readonly flushPolicy: FlushPolicy;
  /** cleanup.policy: delete (retention), compact (the log cleaner), or both. */
  readonly cleanupPolicy: readonly CleanupPolicy[];
  /** delete.retention.ms: how long the cleaner keeps a tombstone (or transaction marker) after it first cleaned it. */
  readonly deleteRetentionMs: number;
  /** min.cleanable.dirty.ratio: the share of uncleaned bytes above which the cleaner takes the log. */
  readonly minCleanableDirtyRatio: number;
  /** min.compaction.lag.ms: a segment whose newest record is younger is not cleaned yet. */
  readonly minCompactionLagMs: number;
  /** max.compaction.lag.ms: a log whose oldest uncleaned record is older is cleaned whatever its dirty ratio. */
  readonly maxCompactionLagMs: number;
}

/** Java's Long.MAX_VALUE, Kafka's "never" for flush.messages and flush.ms (as a double: 2^63). */
export const LONG_MAX = 2 ** 63;

export const defaultLogConfig: LogConfig = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  messageTimestampType: 'CreateTime',
  flushMessages: LONG_MAX,
  flushMs: LONG_MAX,
  flushPolicy: 'page-cache',
  cleanupPolicy: Object.freeze(['delete'] as const),
  deleteRetentionMs: 24 * 60 * 60 * 1000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: LONG_MAX,
});

/** `overrides` laid over `base` (Kafka's defaults unless given), frozen. */
export function logConfig(overrides: Partial<LogConfig> = {}, base: LogConfig = defaultLogConfig): LogConfig {
  return Object.freeze({ ...base, ...overrides });
}
