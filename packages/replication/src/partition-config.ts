import { LONG_MAX, type LogConfig } from '@kstream/log-storage';
import { TOPIC_CONFIGS } from '@kstream/metadata';

/** A topic's configs by Kafka key, as text (the controller's effective values); keys not given take the table's defaults. */
export type TopicConfigValues = Readonly<Record<string, string | number | null | undefined>>;

/** What a hosted partition needs from its topic's configs: its log's settings and the produce-path limits. */
export interface PartitionConfig {
  readonly log: LogConfig;
  /** max.message.bytes: the largest record batch a produce may append. */
  readonly maxMessageBytes: number;
  /** min.insync.replicas: acks=-1 produces fail with NOT_ENOUGH_REPLICAS below this ISR size. */
  readonly minInsyncReplicas: number;
}

/**
 * The topic config each LogConfig setting is read from. Names, types,
 * defaults and allowed values are @kstream/metadata's TOPIC_CONFIGS, the one
 * table of topic configs; the log's own view is derived here, not restated.
 * flushPolicy has no key of its own (see partitionConfigFrom).
 */
export const LOG_CONFIG_SOURCES = {
  segmentBytes: 'segment.bytes',
  segmentMs: 'segment.ms',
  segmentIndexBytes: 'segment.index.bytes',
  indexIntervalBytes: 'index.interval.bytes',
  retentionMs: 'retention.ms',
  retentionBytes: 'retention.bytes',
  messageTimestampType: 'message.timestamp.type',
  flushMessages: 'flush.messages',
  flushMs: 'flush.ms',
  cleanupPolicy: 'cleanup.policy',
  deleteRetentionMs: 'delete.retention.ms',
  minCleanableDirtyRatio: 'min.cleanable.dirty.ratio',
  minCompactionLagMs: 'min.compaction.lag.ms',
  maxCompactionLagMs: 'max.compaction.lag.ms',
} as const satisfies Record<Exclude<keyof LogConfig, 'flushPolicy'>, string>;

/**
 * Maps a topic's configs to the partition's settings, each value parsed by
 * its TOPIC_CONFIGS definition (whose error names the key, the value and
 * what is allowed). flush.messages=1 selects the log's durable policy: every
 * append is fdatasync'ed before it is acknowledged, one sync shared by every
 * append waiting (group commit). The group commit is then the flush, so the
 * per-message background flush Kafka would run for flush.messages=1 is not
 * asked of the log as well.
 */
export function partitionConfigFrom(configs: TopicConfigValues): PartitionConfig {
  const value = <T>(key: string): T => {
    const definition = TOPIC_CONFIGS.get(key);
    if (definition === undefined) throw new Error(`${key} is not a topic config`);
    const given = configs[key];
    const text = given === null || given === undefined ? definition.defaultValue : String(given);
    if (text === null) throw new Error(`topic config ${key} has no value and no default`);
    return definition.parse(text) as T;
  };
  const log = Object.fromEntries(Object.entries(LOG_CONFIG_SOURCES).map(([field, key]) => [field, value(key)])) as Omit<LogConfig, 'flushPolicy'>;
  const durable = log.flushMessages === 1;
  return {
    log: Object.freeze({ ...log, flushMessages: durable ? LONG_MAX : log.flushMessages, flushPolicy: durable ? 'durable' : 'page-cache' }),
    maxMessageBytes: value('max.message.bytes'),
    minInsyncReplicas: value('min.insync.replicas'),
  };
}
