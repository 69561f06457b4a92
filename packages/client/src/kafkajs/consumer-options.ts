// kafkajs's consumer config as the client consumer's options.
import type { ConsumerOptions, RebalanceListener } from '../consumer/index.js';
import type { ClientOptions } from '../options/index.js';
import { clientAssignorsFor } from './assigners.js';
import { KafkaJSNonRetriableError } from './errors.js';
import type { ConsumerConfig, ConsumerEvents } from './types-consumer.js';

export const CONSUMER_EVENTS: ConsumerEvents = {
  HEARTBEAT: 'consumer.heartbeat',
  COMMIT_OFFSETS: 'consumer.commit_offsets',
  GROUP_JOIN: 'consumer.group_join',
  FETCH_START: 'consumer.fetch_start',
  FETCH: 'consumer.fetch',
  START_BATCH_PROCESS: 'consumer.start_batch_process',
  END_BATCH_PROCESS: 'consumer.end_batch_process',
  CONNECT: 'consumer.connect',
  DISCONNECT: 'consumer.disconnect',
  STOP: 'consumer.stop',
  CRASH: 'consumer.crash',
  REBALANCING: 'consumer.rebalancing',
  RECEIVED_UNSUBSCRIBED_TOPICS: 'consumer.received_unsubscribed_topics',
  REQUEST: 'consumer.network.request',
  REQUEST_TIMEOUT: 'consumer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'consumer.network.request_queue_size',
};

// kafkajs's own defaults where they differ from Kafka's.
const KAFKAJS_DEFAULTS = {
  sessionTimeout: 30_000,
  rebalanceTimeout: 60_000,
  heartbeatInterval: 3_000,
  maxBytesPerPartition: 1_048_576,
  minBytes: 1,
  maxBytes: 10_485_760,
  maxWaitTimeInMs: 5_000,
} as const;

/**
 * The client consumer's options for a kafkajs consumer: kafkajs's names
 * and defaults mapped to Kafka's (rebalanceTimeout is also the bound between
 * polls, as max.poll.interval.ms), fromBeginning as the offset reset, and
 * no auto-commit: the kafkajs consumer commits what the application
 * resolved. Throws if the subscriptions disagree on fromBeginning.
 */
export function clientConsumerOptions(
  client: ClientOptions,
  config: ConsumerConfig,
  subscriptions: readonly { fromBeginning: boolean }[],
  rebalanceListener: RebalanceListener,
): ConsumerOptions<Buffer, Buffer> {
  const fromBeginning = new Set(subscriptions.map((t) => t.fromBeginning));
  if (fromBeginning.size > 1) {
    throw new KafkaJSNonRetriableError(
      'Topics subscribed with different fromBeginning values are not supported by @kstream/client/kafkajs: ' + 'subscribe every topic of one consumer with the same fromBeginning',
    );
  }
  const options: ConsumerOptions<Buffer, Buffer> = {
    ...client,
    groupId: config.groupId,
    assignors: clientAssignorsFor(config.partitionAssigners),
    sessionTimeoutMs: config.sessionTimeout ?? KAFKAJS_DEFAULTS.sessionTimeout,
    heartbeatIntervalMs: config.heartbeatInterval ?? KAFKAJS_DEFAULTS.heartbeatInterval,
    maxPollIntervalMs: config.rebalanceTimeout ?? KAFKAJS_DEFAULTS.rebalanceTimeout,
    autoOffsetReset: fromBeginning.has(true) ? 'earliest' : 'latest',
    enableAutoCommit: false,
    isolationLevel: config.readUncommitted === true ? 'read_uncommitted' : 'read_committed',
    fetchMinBytes: config.minBytes ?? KAFKAJS_DEFAULTS.minBytes,
    fetchMaxBytes: config.maxBytes ?? KAFKAJS_DEFAULTS.maxBytes,
    fetchMaxWaitMs: config.maxWaitTimeInMs ?? KAFKAJS_DEFAULTS.maxWaitTimeInMs,
    maxPartitionFetchBytes: config.maxBytesPerPartition ?? KAFKAJS_DEFAULTS.maxBytesPerPartition,
    rebalanceListener,
  };
  if (config.groupInstanceId !== undefined) options.groupInstanceId = config.groupInstanceId;
  return options;
}
