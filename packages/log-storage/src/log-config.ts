import { InvalidLogConfigError } from './storage-errors.js';

export type TimestampType = 'CreateTime' | 'LogAppendTime';

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
}

/** Java's Long.MAX_VALUE, Kafka's "never" for flush.messages and flush.ms (as a double: 2^63). */
export const LONG_MAX = 9223372036854775807;
const INT_MAX = 2147483647;

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
});

type Parser<T> = (key: string, value: string | number | bigint) => T;

function integer(min: number, max: number): Parser<number> {
  return (key, value) => {
    const text = String(value).trim();
    const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new InvalidLogConfigError(key, value, `an integer from ${min} to ${max === LONG_MAX ? '9223372036854775807' : max}`);
    }
    return n;
  };
}

function oneOf<T extends string>(...allowed: T[]): Parser<T> {
  return (key, value) => {
    const text = String(value);
    if (!(allowed as string[]).includes(text)) throw new InvalidLogConfigError(key, value, `one of ${allowed.join(', ')}`);
    return text as T;
  };
}

// Ranges are Kafka's (LogConfig's validators); int keys stop at Integer.MAX_VALUE.
const parsers: { [K in keyof LogConfig]: [key: string, parse: Parser<LogConfig[K]>] } = {
  segmentBytes: ['segment.bytes', integer(14, INT_MAX)],
  segmentMs: ['segment.ms', integer(1, LONG_MAX)],
  segmentIndexBytes: ['segment.index.bytes', integer(4, INT_MAX)],
  indexIntervalBytes: ['index.interval.bytes', integer(0, INT_MAX)],
  retentionMs: ['retention.ms', integer(-1, LONG_MAX)],
  retentionBytes: ['retention.bytes', integer(-LONG_MAX, LONG_MAX)],
  messageTimestampType: ['message.timestamp.type', oneOf('CreateTime', 'LogAppendTime')],
  flushMessages: ['flush.messages', integer(1, LONG_MAX)],
  flushMs: ['flush.ms', integer(0, LONG_MAX)],
  flushPolicy: ['flush.policy', oneOf('page-cache', 'durable')],
};

/** The config keys the log reads, in Kafka's spelling. */
export const LOG_CONFIG_KEYS: readonly string[] = Object.values(parsers).map(([key]) => key);

/**
 * Builds a LogConfig from Kafka-named properties laid over `base` (the
 * broker's defaults, Kafka's by default). Keys the log does not own
 * (cleanup.policy, min.insync.replicas...) are left to their owners.
 * Throws InvalidLogConfigError naming the key and the allowed values.
 */
export function parseLogConfig(
  props: Readonly<Record<string, string | number | bigint | undefined>>,
  base: LogConfig = defaultLogConfig,
): LogConfig {
  const config: Record<string, unknown> = { ...base };
  for (const [field, [key, parse]] of Object.entries(parsers)) {
    const value = props[key];
    if (value !== undefined) config[field] = (parse as Parser<unknown>)(key, value);
  }
  return Object.freeze(config) as unknown as LogConfig;
}
