// Metadata v0–12
// - Topics: v0's empty list and v1+'s null mean every topic; v1+'s empty
//   list means none. Names listed twice are answered once.
// - An unknown topic is created when auto.create.topics.enable is on and the
//   request allows it (always before v4, allowAutoTopicCreation from v4):
//   the controller is asked — one CreateTopics for the request's unknown
//   topics, at most max.partitions.per.request / num.partitions of them, the
//   rest on a later request — and the reply lists it LEADER_NOT_AVAILABLE (or
//   INVALID_TOPIC_EXCEPTION for a name Kafka refuses) until it exists, so the
//   client asks again. Otherwise it is UNKNOWN_TOPIC_OR_PARTITION. Internal
//   topics (__consumer_offsets, ...) are never created here.
// - v10+ carries topic ids; v12 may name topics by id alone (an unknown id is
//   UNKNOWN_TOPIC_ID); v10–11 requests naming ids, or no name, are
//   INVALID_REQUEST, as in Kafka.
// - Brokers are the live (registered, unfenced) ones; controllerId is the
//   lowest live broker id (clients send controller-bound admin requests
//   there, and every kstream broker forwards them to the controller).
// - A partition whose leader is missing or fenced is LEADER_NOT_AVAILABLE
//   with leader -1; offlineReplicas (v5+) are replicas on brokers not alive.
//   v0 lists only live replicas and marks a partition missing some
//   REPLICA_NOT_AVAILABLE, as Kafka did for v0 clients.
// - Authorized operations (v8+) are every supported operation when asked
//   for (there is no authorizer), -2147483648 when not.
import { INTERNAL_TOPICS, topicNameProblem, unpackAdminReply } from '@kstream/metadata';
import type { CreateTopicsReply, PartitionState, TopicMetadata } from '@kstream/metadata';
import { AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_OPERATIONS, ErrorCode, Metadata, TOPIC_OPERATIONS, ZERO_UUID } from '@kstream/protocol';
import type { ResponseOf } from '@kstream/protocol';
import type { BrokerMetadata } from '../metadata/broker-metadata.js';
import type { ApiHandler, BrokerServices } from './handler.js';

type MetadataTopic = ResponseOf<typeof Metadata>['topics'][number];
type MetadataPartition = MetadataTopic['partitions'][number];

export const metadataHandler: ApiHandler<typeof Metadata> = {
  api: Metadata,
  async handle(request, { apiVersion, broker }) {
    const { metadata } = broker;
    const topicOperations = apiVersion >= 8 && request.includeTopicAuthorizedOperations ? TOPIC_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED;
    const describe = (topic: TopicMetadata): MetadataTopic => ({
      errorCode: ErrorCode.NONE,
      name: topic.name,
      topicId: topic.topicId,
      isInternal: INTERNAL_TOPICS.has(topic.name),
      partitions: topic.partitions.map((p) => describePartition(metadata, p, apiVersion)),
      topicAuthorizedOperations: topicOperations,
    });
    const failed = (name: string | null, errorCode: number, topicId = ZERO_UUID): MetadataTopic => ({
      errorCode,
      name,
      topicId,
      isInternal: name !== null && INTERNAL_TOPICS.has(name),
      partitions: [],
      topicAuthorizedOperations: topicOperations,
    });

    let topics: MetadataTopic[];
    if (request.topics === null || (apiVersion === 0 && request.topics.length === 0)) {
      topics = [...metadata.state.topics.values()].map(describe);
    } else if (apiVersion < 12 && request.topics.some((t) => t.name === null || t.topicId !== ZERO_UUID)) {
      // Before v12 a response topic must have a name.
      topics = request.topics.map((t) => failed(t.name ?? '', ErrorCode.INVALID_REQUEST, t.topicId));
    } else {
      const autoCreate = broker.config['auto.create.topics.enable'] && (apiVersion < 4 || request.allowAutoTopicCreation);
      topics = [];
      const toCreate: string[] = [];
      const seen = new Set<string>();
      for (const { name, topicId } of request.topics) {
        const key = name ?? `id:${topicId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (name === null) {
          const topic = metadata.topicById(topicId);
          topics.push(topic === undefined ? failed(null, ErrorCode.UNKNOWN_TOPIC_ID, topicId) : describe(topic));
          continue;
        }
        const topic = metadata.topicByName(name);
        if (topic !== undefined) topics.push(describe(topic));
        else if (!autoCreate || INTERNAL_TOPICS.has(name)) topics.push(failed(name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
        else if (topicNameProblem(name) !== undefined) topics.push(failed(name, ErrorCode.INVALID_TOPIC_EXCEPTION));
        else {
          toCreate.push(name);
          topics.push(failed(name, ErrorCode.LEADER_NOT_AVAILABLE));
        }
      }
      if (toCreate.length > 0) autoCreateTopics(broker, toCreate);
    }

    const brokers = metadata.liveBrokers();
    return {
      throttleTimeMs: 0,
      brokers: brokers.map(({ brokerId, host, port }) => ({ nodeId: brokerId, host, port, rack: null })),
      clusterId: metadata.clusterId ?? null,
      controllerId: brokers[0]?.brokerId ?? -1,
      topics,
      clusterAuthorizedOperations: apiVersion >= 8 && request.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
    };
  },
};

function describePartition(metadata: BrokerMetadata, p: PartitionState, apiVersion: number): MetadataPartition {
  const offlineReplicas = p.replicas.filter((id) => !metadata.isLive(id));
  const leaderAlive = p.leader >= 0 && metadata.isLive(p.leader);
  let replicaNodes = [...p.replicas];
  let isrNodes = [...p.isr];
  let errorCode: number = leaderAlive ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE;
  if (apiVersion === 0 && offlineReplicas.length > 0) {
    replicaNodes = replicaNodes.filter((id) => metadata.isLive(id));
    isrNodes = isrNodes.filter((id) => metadata.isLive(id));
    if (leaderAlive) errorCode = ErrorCode.REPLICA_NOT_AVAILABLE;
  }
  return {
    errorCode,
    partitionIndex: p.partition,
    leaderId: leaderAlive ? p.leader : -1,
    leaderEpoch: p.leaderEpoch,
    replicaNodes,
    isrNodes,
    offlineReplicas,
  };
}

/** Topics this broker has asked the controller to create and not yet heard back about, per broker. */
const creating = new WeakMap<BrokerMetadata, Set<string>>();

/**
 * Asks the controller to create `names` with the broker defaults, in one
 * CreateTopics, each name once at a time; the client learns the outcome by
 * asking again. One request asks for at most what max.partitions.per.request
 * allows at num.partitions each: the other names wait for the client's next
 * Metadata request, so a request listing a million unknown topics costs one
 * bounded CreateTopics, not a million.
 */
function autoCreateTopics(broker: BrokerServices, names: readonly string[]): void {
  let pending = creating.get(broker.metadata);
  if (pending === undefined) creating.set(broker.metadata, (pending = new Set()));
  const { config } = broker;
  const room = Math.max(1, Math.floor(config['max.partitions.per.request'] / config['num.partitions']));
  const asked = names.filter((name) => !pending.has(name)).slice(0, room);
  if (asked.length === 0) return;
  for (const name of asked) pending.add(name);
  broker.controller
    .ask({
      type: 'CreateTopics',
      topics: asked.map((name) => ({ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] })),
      validateOnly: false,
    })
    .then(
      (packed) => {
        const { topics } = unpackAdminReply<CreateTopicsReply>(packed);
        const failures = topics.filter((t) => t.errorCode !== ErrorCode.NONE && t.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS);
        if (failures.length > 0) {
          const [first] = failures;
          const more = failures.length > 1 ? ` (and ${failures.length - 1} more topics)` : '';
          broker.logger.warn(`broker ${broker.brokerId}: auto-creating topic ${first!.name} failed: ${first!.errorMessage}${more}`);
        }
      },
      (error: unknown) => broker.logger.warn(`broker ${broker.brokerId}: auto-creating ${asked.length} topic(s) failed`, { error }),
    )
    .finally(() => {
      for (const name of asked) pending.delete(name);
    });
}
