// The consumer's options: camelCase of the Java consumer's configs, with its
// defaults, validated at construction (a bad one throws KafkaConfigError).
import { KafkaConfigError } from '../errors/index.js';
import { booleanOption, enumOption, intOption, resolveClientOptions, stringOption, type ClientOptions, type ResolvedClientOptions } from '../options/index.js';
import { bufferSerde, type Deserializer } from '../serde/index.js';
import type { Assignor } from './assignors/assignor.js';
import type { AssignorName } from './assignors/assignors.js';
import { resolveGroupMemberOptions, type GroupMemberOptions } from './group/group-member-options.js';
import type { RebalanceListener } from './group/rebalance-listener.js';
import type { OffsetResetStrategy } from './subscription-state.js';

export type IsolationLevel = 'read_uncommitted' | 'read_committed';

export interface ConsumerOptions<K = Buffer, V = Buffer> extends ClientOptions {
  keyDeserializer?: Deserializer<K>;
  valueDeserializer?: Deserializer<V>;
  groupId?: string;
  /** Static membership (KIP-345): a restart within the session timeout keeps the member's partitions. */
  groupInstanceId?: string;
  /** Default ['range', 'cooperative-sticky'], as Kafka 3+. */
  assignors?: readonly (AssignorName | Assignor)[];
  /** Default 45000. */
  sessionTimeoutMs?: number;
  /** Default 3000. */
  heartbeatIntervalMs?: number;
  /** Default 300000; also the rebalance timeout. */
  maxPollIntervalMs?: number;
  /** Where to start a partition with no committed offset; default 'latest'. */
  autoOffsetReset?: OffsetResetStrategy;
  /** Default true (needs groupId). */
  enableAutoCommit?: boolean;
  /** Default 5000. */
  autoCommitIntervalMs?: number;
  /** Default 'read_uncommitted'. */
  isolationLevel?: IsolationLevel;
  /** Default 1: the broker answers as soon as it has any data. */
  fetchMinBytes?: number;
  /** Default 52428800 (50 MiB) per Fetch response. */
  fetchMaxBytes?: number;
  /** Default 500: how long the broker may hold a Fetch waiting for fetchMinBytes. */
  fetchMaxWaitMs?: number;
  /** Default 1048576 per partition per Fetch; also how much of a partition may wait for the application before fetching it stops. */
  maxPartitionFetchBytes?: number;
  rebalanceListener?: RebalanceListener;
}

export interface ResolvedConsumerOptions<K, V> {
  client: ResolvedClientOptions;
  keyDeserializer: Deserializer<K>;
  valueDeserializer: Deserializer<V>;
  groupId: string | null;
  groupInstanceId: string | null;
  autoOffsetReset: OffsetResetStrategy;
  enableAutoCommit: boolean;
  isolationLevel: IsolationLevel;
  fetchMinBytes: number;
  fetchMaxBytes: number;
  fetchMaxWaitMs: number;
  maxPartitionFetchBytes: number;
  autoCommitIntervalMs: number;
  /** What the group member is built with; null without a groupId. */
  group: GroupMemberOptions | null;
}

const INT32_MAX = 0x7fffffff;

function deserializerOption<T>(options: object, key: string): Deserializer<T> {
  const value = (options as Record<string, unknown>)[key];
  if (value === undefined) return bufferSerde as unknown as Deserializer<T>;
  if (typeof value !== 'object' || value === null || typeof (value as Deserializer<T>).deserialize !== 'function') {
    throw new KafkaConfigError(key, value, 'an object with deserialize(data, topic)');
  }
  return value as Deserializer<T>;
}

/** The fetch-path options; the group ones (timeouts, assignors, listener) are validated by the group member. */
export function resolveConsumerOptions<K, V>(options: ConsumerOptions<K, V>): ResolvedConsumerOptions<K, V> {
  const client = resolveClientOptions(options);
  const groupId = options.groupId === undefined ? null : stringOption(options, 'groupId', '');
  const groupInstanceId = options.groupInstanceId === undefined ? null : stringOption(options, 'groupInstanceId', '');
  if (groupInstanceId !== null && groupId === null) throw new KafkaConfigError('groupInstanceId', groupInstanceId, 'only with a groupId');
  const enableAutoCommit = booleanOption(options, 'enableAutoCommit', groupId !== null);
  if (enableAutoCommit && groupId === null) throw new KafkaConfigError('enableAutoCommit', true, 'true only with a groupId');
  const isolationLevel = enumOption<IsolationLevel>(options, 'isolationLevel', 'read_uncommitted', ['read_uncommitted', 'read_committed']);
  const group: GroupMemberOptions | null =
    groupId === null
      ? null
      : {
          groupId,
          groupInstanceId,
          assignors: options.assignors,
          sessionTimeoutMs: options.sessionTimeoutMs,
          heartbeatIntervalMs: options.heartbeatIntervalMs,
          maxPollIntervalMs: options.maxPollIntervalMs,
          enableAutoCommit,
          autoCommitIntervalMs: options.autoCommitIntervalMs,
          isolationLevel,
          rebalanceListener: options.rebalanceListener,
          logger: client.logger,
        };
  const autoCommitIntervalMs = group === null ? 0 : resolveGroupMemberOptions(group).autoCommitIntervalMs;
  return {
    client,
    keyDeserializer: deserializerOption<K>(options, 'keyDeserializer'),
    valueDeserializer: deserializerOption<V>(options, 'valueDeserializer'),
    groupId,
    groupInstanceId,
    autoOffsetReset: enumOption<OffsetResetStrategy>(options, 'autoOffsetReset', 'latest', ['earliest', 'latest', 'none']),
    enableAutoCommit,
    autoCommitIntervalMs,
    isolationLevel,
    fetchMinBytes: intOption(options, 'fetchMinBytes', 1, 0, INT32_MAX),
    fetchMaxBytes: intOption(options, 'fetchMaxBytes', 52_428_800, 1, INT32_MAX),
    fetchMaxWaitMs: intOption(options, 'fetchMaxWaitMs', 500, 0, INT32_MAX),
    maxPartitionFetchBytes: intOption(options, 'maxPartitionFetchBytes', 1_048_576, 1, INT32_MAX),
    group,
  };
}
