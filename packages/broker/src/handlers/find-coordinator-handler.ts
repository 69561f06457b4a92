// FindCoordinator v0–5
// - Key type 0 (group): the coordinator is the leader of partition
//   abs(javaHash(groupId)) % N of __consumer_offsets; key type 1
//   (transaction): of __transaction_state, for the transactional id. N is
//   the topic's partition count, or offsets.topic.num.partitions /
//   transaction.state.log.num.partitions before it exists, as in Kafka.
//   v0 has no key type: it is a group.
// - v0–3 look up one key (`key`); v4+ batch them (`coordinatorKeys`), each
//   answered on its own.
// - The topic is created on first use: the broker asks the controller
//   (once, however many requests ask at the same time) with Kafka's
//   configs (compacted; segment.bytes from offsets.topic.segment.bytes /
//   transaction.state.log.segment.bytes) and answers COORDINATOR_NOT_AVAILABLE
//   (retriable) until its metadata shows the topic with a live leader.
//   While fewer brokers are alive than offsets.topic.replication.factor /
//   transaction.state.log.replication.factor it is not created and the
//   answer stays COORDINATOR_NOT_AVAILABLE, naming the config.
// - A leader that is missing or fenced is COORDINATOR_NOT_AVAILABLE too.
// - Any other key type is INVALID_REQUEST (for every key from v4).
// - The broker named coordinates the group (JoinGroup, OffsetCommit, ...
//   are served there) or the transactional id (InitProducerId,
//   AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, DescribeTransactions).
import { coordinatorPartition } from '@kstream/group-coordinator';
import { ErrorCode, FindCoordinator } from '@kstream/protocol';
import type { ResponseOf } from '@kstream/protocol';
import { coordinatorTopicFor, createCoordinatorTopic } from './coordinator-topics.js';
import type { CoordinatorTopic } from './coordinator-topics.js';
import type { ApiHandler, BrokerServices } from './handler.js';

type Coordinator = ResponseOf<typeof FindCoordinator>['coordinators'][number];
type Lookup = Omit<Coordinator, 'key'>;

export const findCoordinatorHandler: ApiHandler<typeof FindCoordinator> = {
  api: FindCoordinator,
  async handle(request, { apiVersion, broker }) {
    const keys = apiVersion >= 4 ? request.coordinatorKeys : [request.key];
    const topic = coordinatorTopicFor(request.keyType, broker.config);
    const lookups = keys.map((key): Lookup => {
      if (topic === undefined) {
        return unavailable(ErrorCode.INVALID_REQUEST, `FindCoordinator key type ${request.keyType} is not 0 (group) or 1 (transaction)`);
      }
      return findCoordinator(broker, topic, key);
    });
    if (apiVersion >= 4) {
      // The single-key fields do not exist from v4; only `coordinators` is encoded.
      const coordinators = keys.map((key, i) => ({ key, ...lookups[i]! }));
      return { throttleTimeMs: 0, ...NO_NODE, errorCode: ErrorCode.NONE, errorMessage: null, coordinators };
    }
    return { throttleTimeMs: 0, ...lookups[0]!, coordinators: [] };
  },
};

function findCoordinator(broker: BrokerServices, topic: CoordinatorTopic, key: string): Lookup {
  const { metadata } = broker;
  const existing = metadata.topicByName(topic.name);
  if (existing === undefined) {
    const live = metadata.liveBrokers().length;
    if (live < topic.replicationFactor) {
      return unavailable(
        ErrorCode.COORDINATOR_NOT_AVAILABLE,
        `${topic.name} cannot be created yet: ${topic.replicationFactorConfig}=${topic.replicationFactor} ` + `but ${live} broker(s) are alive`,
      );
    }
    createCoordinatorTopic(broker, topic);
    return unavailable(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${topic.name} is being created`);
  }
  const partition = coordinatorPartition(key, existing.partitions.length);
  const leader = metadata.leaderFor(topic.name, partition) ?? -1;
  const node = leader >= 0 && metadata.isLive(leader) ? metadata.state.broker(leader) : undefined;
  if (node === undefined) {
    return unavailable(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${topic.name}-${partition}, which coordinates ${topic.keyName} ${JSON.stringify(key)}, has no live leader`);
  }
  return { nodeId: node.brokerId, host: node.host, port: node.port, errorCode: ErrorCode.NONE, errorMessage: null };
}

/** Kafka's Node.noNode: the coordinator named when there is none. */
const NO_NODE = { nodeId: -1, host: '', port: -1 } as const;

function unavailable(errorCode: number, errorMessage: string): Lookup {
  return { ...NO_NODE, errorCode, errorMessage };
}
