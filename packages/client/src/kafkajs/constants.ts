import { KafkaJSNonRetriableError } from './errors.js';

// The numeric constants kafkajs exports, typed as kafkajs's declarations
// type them (enums), with kafkajs's values.

export enum logLevel {
  NOTHING = 0,
  ERROR = 1,
  WARN = 2,
  INFO = 4,
  DEBUG = 5,
}

/** The record batch's compression attribute; CompressionTypes.None .. ZSTD. */
export enum CompressionTypes {
  None = 0,
  GZIP = 1,
  Snappy = 2,
  LZ4 = 3,
  ZSTD = 4,
}

/**
 * kafkajs lets a program plug codec implementations in here; the client
 * has every codec built in (from @kstream/protocol), so entries set here
 * are not used. Kept so `CompressionCodecs[CompressionTypes.Snappy] = ...`
 * still compiles and runs.
 */
export const CompressionCodecs: { [type: number]: () => unknown } = {};

export enum ConfigResourceTypes {
  UNKNOWN = 0,
  TOPIC = 2,
  BROKER = 4,
  BROKER_LOGGER = 8,
}

export enum ConfigSource {
  UNKNOWN = 0,
  TOPIC_CONFIG = 1,
  DYNAMIC_BROKER_CONFIG = 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG = 3,
  STATIC_BROKER_CONFIG = 4,
  DEFAULT_CONFIG = 5,
  DYNAMIC_BROKER_LOGGER_CONFIG = 6,
}

export enum AclResourceTypes {
  UNKNOWN = 0,
  ANY = 1,
  TOPIC = 2,
  GROUP = 3,
  CLUSTER = 4,
  TRANSACTIONAL_ID = 5,
  DELEGATION_TOKEN = 6,
}

export enum AclPermissionTypes {
  UNKNOWN = 0,
  ANY = 1,
  DENY = 2,
  ALLOW = 3,
}

export enum AclOperationTypes {
  UNKNOWN = 0,
  ANY = 1,
  ALL = 2,
  READ = 3,
  WRITE = 4,
  CREATE = 5,
  DELETE = 6,
  ALTER = 7,
  DESCRIBE = 8,
  CLUSTER_ACTION = 9,
  DESCRIBE_CONFIGS = 10,
  ALTER_CONFIGS = 11,
  IDEMPOTENT_WRITE = 12,
}

export enum ResourcePatternTypes {
  UNKNOWN = 0,
  ANY = 1,
  MATCH = 2,
  LITERAL = 3,
  PREFIXED = 4,
}

const COMPRESSION_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

/** Our codec name for kafkajs's CompressionTypes value. */
export function compressionName(type: CompressionTypes | undefined): (typeof COMPRESSION_NAMES)[number] {
  const name = COMPRESSION_NAMES[type ?? CompressionTypes.None];
  if (name === undefined) {
    throw new KafkaJSNonRetriableError(`Compression type ${type} is not supported; allowed: CompressionTypes.None, GZIP, Snappy, LZ4, ZSTD`);
  }
  return name;
}
