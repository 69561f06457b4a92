// The topic configs kstream knows, under Kafka's names, with Kafka's
// defaults and validators, and the broker keys each one defaults from
// (Kafka's ServerTopicConfigSynonyms): a topic without its own retention.ms
// takes log.retention.ms, else log.retention.minutes, else
// log.retention.hours, converted to milliseconds.
import { booleanConfig, choiceConfig, doubleConfig, intConfig, listConfig, LONG_MAX_TEXT, longConfig } from './config-definition.js';
import type { ConfigDef } from './config-definition.js';

/** A broker key a topic config defaults from, and how its value converts to the topic key's unit. */
export interface ConfigSynonym {
  readonly name: string;
  readonly toTopicValue?: (brokerValue: string) => string;
}

export interface TopicConfigDef extends ConfigDef<unknown> {
  /** Broker keys, most specific first, that supply this key's value when the topic does not set it. */
  readonly synonyms: readonly ConfigSynonym[];
}

// -1 (keep forever) stays -1, as Kafka's KafkaConfig.logRetentionTimeMillis has it.
const toMs = (unitMs: number) => (value: string) => (Number(value) < 0 ? '-1' : String(Number(value) * unitMs));
const minutesToMs = toMs(60_000);
const hoursToMs = toMs(3_600_000);

function topic(config: ConfigDef<unknown>, ...synonyms: (string | ConfigSynonym)[]): TopicConfigDef {
  return Object.freeze({
    ...config,
    synonyms: synonyms.map((s) => (typeof s === 'string' ? { name: s } : s)),
  });
}

export const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const;
export const CLEANUP_POLICIES = ['compact', 'delete'] as const;
export const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime'] as const;

const definitions: TopicConfigDef[] = [
  topic(
    listConfig('cleanup.policy', {
      default: 'delete',
      values: CLEANUP_POLICIES,
      doc: 'delete discards old segments by retention time or size; compact keeps the latest record of each key.',
    }),
    'log.cleanup.policy',
  ),
  topic(
    choiceConfig('compression.type', {
      default: 'producer',
      values: COMPRESSION_TYPES,
      doc: "The codec batches are stored with; producer keeps the producer's codec.",
    }),
    'compression.type',
  ),
  topic(
    longConfig('delete.retention.ms', {
      default: '86400000',
      min: 0,
      doc: 'How long delete tombstones are kept in a compacted topic.',
    }),
    'log.cleaner.delete.retention.ms',
  ),
  topic(
    longConfig('file.delete.delay.ms', {
      default: '60000',
      min: 0,
      doc: 'How long a deleted segment waits before its files are removed.',
    }),
    'log.segment.delete.delay.ms',
  ),
  topic(
    longConfig('flush.messages', {
      default: LONG_MAX_TEXT,
      min: 1,
      doc: 'Force an fsync after this many messages; 1 is the durable policy (fdatasync before the ack, with group commit).',
    }),
    'log.flush.interval.messages',
  ),
  topic(
    longConfig('flush.ms', { default: LONG_MAX_TEXT, min: 0, doc: 'Force an fsync once the last one is this old.' }),
    'log.flush.interval.ms',
    'log.flush.scheduler.interval.ms',
  ),
  topic(
    intConfig('index.interval.bytes', {
      default: '4096',
      min: 0,
      doc: 'Bytes of batches between two offset index entries.',
    }),
    'log.index.interval.bytes',
  ),
  topic(
    longConfig('max.compaction.lag.ms', {
      default: LONG_MAX_TEXT,
      min: 1,
      doc: 'The longest a record may stay uncompacted.',
    }),
    'log.cleaner.max.compaction.lag.ms',
  ),
  topic(
    intConfig('max.message.bytes', {
      default: '1048588',
      min: 0,
      doc: 'The largest record batch the topic accepts.',
    }),
    'message.max.bytes',
  ),
  topic(
    choiceConfig('message.timestamp.type', {
      default: 'CreateTime',
      values: TIMESTAMP_TYPES,
      doc: "CreateTime keeps the producer's timestamps; LogAppendTime stamps batches with the broker's clock.",
    }),
    'log.message.timestamp.type',
  ),
  topic(
    doubleConfig('min.cleanable.dirty.ratio', {
      default: '0.5',
      min: 0,
      max: 1,
      doc: 'The share of a compacted log that must be uncompacted before the cleaner runs.',
    }),
    'log.cleaner.min.cleanable.ratio',
  ),
  topic(
    longConfig('min.compaction.lag.ms', {
      default: '0',
      min: 0,
      doc: 'The least time a record stays uncompacted.',
    }),
    'log.cleaner.min.compaction.lag.ms',
  ),
  topic(
    intConfig('min.insync.replicas', {
      default: '1',
      min: 1,
      doc: 'The fewest in-sync replicas an acks=all produce needs.',
    }),
    'min.insync.replicas',
  ),
  topic(
    longConfig('retention.bytes', {
      default: '-1',
      doc: 'Delete the oldest segments while a partition is larger than this; -1 means no limit.',
    }),
    'log.retention.bytes',
  ),
  topic(
    longConfig('retention.ms', {
      default: '604800000',
      min: -1,
      doc: 'Delete segments whose newest record is older than this; -1 keeps them forever.',
    }),
    'log.retention.ms',
    { name: 'log.retention.minutes', toTopicValue: minutesToMs },
    { name: 'log.retention.hours', toTopicValue: hoursToMs },
  ),
  topic(
    intConfig('segment.bytes', {
      default: '1073741824',
      min: 14,
      doc: 'Roll a new segment before the active one exceeds this size.',
    }),
    'log.segment.bytes',
  ),
  topic(
    intConfig('segment.index.bytes', {
      default: '10485760',
      min: 4,
      doc: "The most bytes a segment's offset or time index may hold.",
    }),
    'log.index.size.max.bytes',
  ),
  topic(
    longConfig('segment.ms', {
      default: '604800000',
      min: 1,
      doc: 'Roll a new segment once the active one is this old.',
    }),
    'log.roll.ms',
    { name: 'log.roll.hours', toTopicValue: hoursToMs },
  ),
  topic(
    booleanConfig('unclean.leader.election.enable', {
      default: 'false',
      doc: 'Whether a replica outside the ISR may become leader, losing data.',
    }),
    'unclean.leader.election.enable',
  ),
];

/** Every topic config by name. */
export const TOPIC_CONFIGS: ReadonlyMap<string, TopicConfigDef> = new Map(definitions.map((d) => [d.name, d]));
