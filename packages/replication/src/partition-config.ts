import { InvalidLogConfigError, parseLogConfig, type LogConfig } from '@kstream/log-storage';

/** A topic's effective configs by Kafka key, as the controller computes them (defaults and broker synonyms applied). */
export type TopicConfigValues = Readonly<Record<string, string | number | bigint | boolean | null | undefined>>;

/** What a hosted partition needs from its topic's configs: its log's settings and the produce-path limits. */
export interface PartitionConfig {
  readonly log: LogConfig;
  /** max.message.bytes: the largest record batch a produce may append. */
  readonly maxMessageBytes: number;
  /** min.insync.replicas: acks=-1 produces fail with NOT_ENOUGH_REPLICAS below this ISR size. */
  readonly minInsyncReplicas: number;
}

/** Kafka's topic defaults (max.message.bytes follows the broker's message.max.bytes). */
export const DEFAULT_MAX_MESSAGE_BYTES = 1048588;
export const DEFAULT_MIN_INSYNC_REPLICAS = 1;

/**
 * Maps a topic's effective configs to the partition's settings. flush.messages=1
 * selects the log's durable policy: every append is fdatasync'ed before it is
 * acknowledged, one sync shared by every append waiting (group commit). The
 * group commit is then the flush, so the per-message background flush Kafka
 * would run for flush.messages=1 is not asked of the log as well. Throws the
 * log's InvalidLogConfigError naming the key for a value it cannot use.
 */
export function partitionConfigFrom(configs: TopicConfigValues): PartitionConfig {
  const props: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(configs)) {
    if (value !== null && value !== undefined) props[key] = String(value);
  }
  const durable = props['flush.messages'] !== undefined && Number(props['flush.messages']) === 1;
  if (durable) {
    props['flush.policy'] = 'durable';
    delete props['flush.messages'];
  }
  return {
    log: parseLogConfig(props),
    maxMessageBytes: intAtLeast(props, 'max.message.bytes', 0, DEFAULT_MAX_MESSAGE_BYTES),
    minInsyncReplicas: intAtLeast(props, 'min.insync.replicas', 1, DEFAULT_MIN_INSYNC_REPLICAS),
  };
}

function intAtLeast(props: Record<string, string | undefined>, key: string, min: number, fallback: number): number {
  const text = props[key];
  if (text === undefined) return fallback;
  const value = /^\s*-?\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > 0x7fffffff) {
    throw new InvalidLogConfigError(key, text, `an integer from ${min} to 2147483647`);
  }
  return value;
}
