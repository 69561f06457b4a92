// listTopics and describeTopics: a Metadata request of their own to any
// broker, never the cluster client's cached snapshot (a describe must show
// leaders and ISR as they are now), and never creating a topic.
import { Metadata, ZERO_UUID } from '@kstream/protocol';
import type { RequestOf, ResponseOf } from '@kstream/protocol';
import { protocolError } from '../errors/index.js';
import { runBatch } from './admin-batch.js';
import type { ItemOutcome } from './admin-batch.js';
import { restOf, retrying, startCall } from './admin-call.js';
import type { AdminContext } from './admin-call.js';
import type { ConfigEntry } from './admin-config-types.js';
import { describeConfigs } from './admin-configs.js';
import type { AdminCallOptions } from './admin-options.js';
import { finalUnknownTopic } from './admin-retry-policy.js';
import { sendToOne } from './admin-routing.js';

export interface ListTopicsOptions extends AdminCallOptions {
  /** Also __consumer_offsets, __transaction_state, ...; default false. */
  includeInternal?: boolean;
}

export interface PartitionDescription {
  readonly partition: number;
  /** null while the partition has no leader (an election is pending, or every replica is offline). */
  readonly leader: number | null;
  readonly leaderEpoch: number;
  /** The assigned replicas, the preferred leader first. */
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** Replicas on brokers that are down or whose log dir failed (Metadata v5+). */
  readonly offline: readonly number[];
}

export interface TopicDescription {
  readonly topic: string;
  /** null from brokers older than Metadata v10. */
  readonly topicId: string | null;
  readonly isInternal: boolean;
  /** By partition id. */
  readonly partitions: readonly PartitionDescription[];
  /** Only with includeConfigs. */
  readonly configs?: readonly ConfigEntry[];
}

export interface DescribeTopicsOptions extends AdminCallOptions {
  /** Also each topic's configs, as describeConfigs gives them. */
  includeConfigs?: boolean;
}

type MetadataResponse = ResponseOf<typeof Metadata>;

function metadataRequest(topics: readonly string[] | null): RequestOf<typeof Metadata> {
  return {
    topics: topics === null ? null : topics.map((name) => ({ topicId: ZERO_UUID, name })),
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  };
}

/** The names of the cluster's topics, sorted. */
export function listTopics(context: AdminContext, options: ListTopicsOptions = {}): Promise<string[]> {
  const call = startCall(context, 'Metadata', options);
  return retrying(call, async () => {
    const broker = await context.cluster.anyBroker();
    const response = await broker.request(Metadata, metadataRequest(null));
    return response.topics
      .filter((t) => t.errorCode === 0 && t.name !== null && (options.includeInternal === true || !t.isInternal))
      .map((t) => t.name!)
      .sort();
  });
}

/** Each topic's partitions, leaders, replicas and ISR; UNKNOWN_TOPIC_OR_PARTITION for one the cluster does not have. */
export async function describeTopics(context: AdminContext, topics: readonly string[], options: DescribeTopicsOptions = {}): Promise<TopicDescription[]> {
  const call = startCall(context, 'Metadata', options);
  const described = await runBatch<string, TopicDescription>(call, {
    items: topics,
    itemName: (t) => t,
    retryItem: finalUnknownTopic,
    attempt: (pending) =>
      sendToOne(
        pending,
        () => context.cluster.anyBroker(),
        async (broker, items) => {
          const response = await broker.request(Metadata, metadataRequest(items));
          return items.map((name): ItemOutcome<TopicDescription> | undefined => {
            const topic = response.topics.find((t) => t.name === name);
            if (topic === undefined) return undefined;
            if (topic.errorCode !== 0) return { error: protocolError(topic.errorCode, { api: call.api, broker: broker.label, topic: name }) };
            return { value: topicDescription(name, topic) };
          });
        },
      ),
  });
  if (options.includeConfigs !== true || described.length === 0) return described;
  const configs = await describeConfigs(
    context,
    described.map((t) => ({ type: 'topic', name: t.topic })),
    restOf(call),
  );
  return described.map((t, index) => ({ ...t, configs: configs[index]!.configs }));
}

function topicDescription(name: string, topic: MetadataResponse['topics'][number]): TopicDescription {
  return {
    topic: name,
    topicId: topic.topicId === ZERO_UUID ? null : topic.topicId,
    isInternal: topic.isInternal,
    partitions: topic.partitions
      .map((p) => ({
        partition: p.partitionIndex,
        leader: p.leaderId < 0 ? null : p.leaderId,
        leaderEpoch: p.leaderEpoch,
        replicas: p.replicaNodes,
        isr: p.isrNodes,
        offline: p.offlineReplicas,
      }))
      .sort((a, b) => a.partition - b.partition),
  };
}
