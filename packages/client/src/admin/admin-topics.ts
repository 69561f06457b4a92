// createTopics, deleteTopics and createPartitions: changes the controller
// makes, so they are sent to it (Kafka's AdminClient does the same; a
// kstream broker would forward them, an Apache Kafka 2.x one would answer
// NOT_CONTROLLER). Each answer waits, within the call's timeout, until the
// change is in the answering broker's metadata.
import { CreatePartitions, CreateTopics, DeleteTopics, ZERO_UUID } from '@kstream/protocol';
import type { RequestOf } from '@kstream/protocol';
import type { BrokerConnection } from '../connection/index.js';
import { KafkaConfigError, protocolError } from '../errors/index.js';
import { runBatch } from './admin-batch.js';
import type { ItemOutcome } from './admin-batch.js';
import { controllerOf, remainingMs, requestTimeout, startCall } from './admin-call.js';
import type { AdminCall, AdminContext } from './admin-call.js';
import type { ConfigEntry } from './admin-config-types.js';
import { configEntryOf } from './admin-configs.js';
import type { AdminCallOptions } from './admin-options.js';
import { controllerRetry, finalUnknownTopic } from './admin-retry-policy.js';
import { sendToOne } from './admin-routing.js';

export interface NewTopic {
  readonly topic: string;
  /** Default -1: the broker's num.partitions. Not with replicaAssignment. */
  readonly numPartitions?: number;
  /** Default -1: the broker's default.replication.factor. Not with replicaAssignment. */
  readonly replicationFactor?: number;
  /** The replicas of each partition, partition 0 first; the first replica is the preferred leader. */
  readonly replicaAssignment?: readonly (readonly number[])[];
  /** Topic configs: cleanup.policy, retention.ms, ... */
  readonly configs?: Readonly<Record<string, string>>;
}

export interface CreateTopicsOptions extends AdminCallOptions {
  /** Every check the controller makes, and nothing created. */
  validateOnly?: boolean;
}

export interface CreatedTopic {
  readonly topic: string;
  /** null before CreateTopics v7. */
  readonly topicId: string | null;
  /** What the topic got (defaults resolved); -1 before CreateTopics v5. */
  readonly numPartitions: number;
  readonly replicationFactor: number;
  /** Every config with its source; null before CreateTopics v5. */
  readonly configs: readonly ConfigEntry[] | null;
}

export interface NewPartitions {
  readonly topic: string;
  /** The partition count the topic should have: more than it has. */
  readonly count: number;
  /** The replicas of each new partition; the controller places them when absent. */
  readonly assignments?: readonly (readonly number[])[];
}

/** Creates each topic; resolves with what each got, or AdminBatchError (TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS, ...). */
export function createTopics(context: AdminContext, topics: readonly NewTopic[], options: CreateTopicsOptions = {}): Promise<CreatedTopic[]> {
  for (const topic of topics) checkNewTopic(topic);
  const call = startCall(context, 'CreateTopics', options);
  return runBatch<NewTopic, CreatedTopic>(call, {
    items: topics,
    itemName: (t) => t.topic,
    retryItem: controllerRetry(context),
    attempt: (pending) =>
      sendToOne(
        pending,
        () => controllerOf(context),
        async (controller, items) => {
          const timeoutMs = remainingMs(call);
          const body: RequestOf<typeof CreateTopics> = {
            topics: items.map((t) => ({
              name: t.topic,
              numPartitions: t.replicaAssignment === undefined ? (t.numPartitions ?? -1) : -1,
              replicationFactor: t.replicaAssignment === undefined ? (t.replicationFactor ?? -1) : -1,
              assignments: (t.replicaAssignment ?? []).map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds: [...brokerIds] })),
              configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
            })),
            timeoutMs,
            validateOnly: options.validateOnly ?? false,
          };
          const response = await controller.request(CreateTopics, body, requestTimeout(call, timeoutMs));
          return items.map((t): ItemOutcome<CreatedTopic> | undefined => {
            const result = response.topics.find((r) => r.name === t.topic);
            if (result === undefined) return undefined;
            if (result.errorCode !== 0) return { error: topicError(call, controller, t.topic, result.errorCode, result.errorMessage) };
            return {
              value: {
                topic: t.topic,
                topicId: result.topicId === ZERO_UUID ? null : result.topicId,
                numPartitions: result.numPartitions,
                replicationFactor: result.replicationFactor,
                configs: result.configs === null || controller.version(CreateTopics) < 5 ? null : result.configs.map(configEntryOf),
              },
            };
          });
        },
      ),
  });
}

/** Deletes each topic with its data; UNKNOWN_TOPIC_OR_PARTITION for one the cluster does not have. */
export async function deleteTopics(context: AdminContext, topics: readonly string[], options: AdminCallOptions = {}): Promise<void> {
  const call = startCall(context, 'DeleteTopics', options);
  const againOnController = controllerRetry(context);
  await runBatch<string, void>(call, {
    items: topics,
    itemName: (t) => t,
    retryItem: (item, error) => finalUnknownTopic(item, error) && againOnController(item, error),
    attempt: (pending) =>
      sendToOne(
        pending,
        () => controllerOf(context),
        async (controller, items) => {
          const timeoutMs = remainingMs(call);
          const body: RequestOf<typeof DeleteTopics> = {
            topics: items.map((name) => ({ name, topicId: ZERO_UUID })),
            topicNames: [...items],
            timeoutMs,
          };
          const response = await controller.request(DeleteTopics, body, requestTimeout(call, timeoutMs));
          return items.map((topic): ItemOutcome<void> | undefined => {
            const result = response.responses.find((r) => r.name === topic);
            if (result === undefined) return undefined;
            if (result.errorCode !== 0) return { error: topicError(call, controller, topic, result.errorCode, result.errorMessage) };
            context.cluster.invalidate(topic);
            return { value: undefined };
          });
        },
      ),
  });
}

/** Grows each topic to `count` partitions; fewer than it has is INVALID_PARTITIONS. */
export async function createPartitions(context: AdminContext, increases: readonly NewPartitions[], options: CreateTopicsOptions = {}): Promise<void> {
  const call = startCall(context, 'CreatePartitions', options);
  const againOnController = controllerRetry(context);
  await runBatch<NewPartitions, void>(call, {
    items: increases,
    itemName: (p) => p.topic,
    retryItem: (item, error) => finalUnknownTopic(item, error) && againOnController(item, error),
    attempt: (pending) =>
      sendToOne(
        pending,
        () => controllerOf(context),
        async (controller, items) => {
          const timeoutMs = remainingMs(call);
          const body: RequestOf<typeof CreatePartitions> = {
            topics: items.map((p) => ({
              name: p.topic,
              count: p.count,
              assignments: p.assignments === undefined ? null : p.assignments.map((brokerIds) => ({ brokerIds: [...brokerIds] })),
            })),
            timeoutMs,
            validateOnly: options.validateOnly ?? false,
          };
          const response = await controller.request(CreatePartitions, body, requestTimeout(call, timeoutMs));
          return items.map((p): ItemOutcome<void> | undefined => {
            const result = response.results.find((r) => r.name === p.topic);
            if (result === undefined) return undefined;
            if (result.errorCode !== 0) return { error: topicError(call, controller, p.topic, result.errorCode, result.errorMessage) };
            context.cluster.invalidate(p.topic);
            return { value: undefined };
          });
        },
      ),
  });
}

function checkNewTopic(topic: NewTopic): void {
  if (topic.replicaAssignment !== undefined && (topic.numPartitions !== undefined || topic.replicationFactor !== undefined)) {
    throw new KafkaConfigError(`replicaAssignment of ${topic.topic}`, topic.replicaAssignment, 'either replicaAssignment or numPartitions/replicationFactor, not both');
  }
}

function topicError(call: AdminCall, broker: BrokerConnection, topic: string, code: number, serverMessage: string | null) {
  return protocolError(code, { api: call.api, broker: broker.label, topic, serverMessage });
}
