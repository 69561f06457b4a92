// CreateTopics v0–7
// - Forwarded to the controller, which checks every topic (name, collisions,
//   partitions, replication factor, manual assignments, configs) and creates
//   the valid ones; each topic's result is its own error code and message.
// - numPartitions / replicationFactor -1 take the broker defaults
//   (num.partitions, default.replication.factor).
// - validateOnly (v1+) runs every check and creates nothing.
// - The reply waits until this broker's metadata shows the new topics, so a
//   Metadata request right after sees them; timeoutMs bounds the whole wait
//   (REQUEST_TIMED_OUT for every topic when it runs out).
// - v5+ reports partitions, replication factor and every config with its
//   source; v7+ the topic id.
// - Bounds are checked here before anything is forwarded: a topic asking for
//   more partitions than max.partitions.per.request is INVALID_PARTITIONS, a
//   replication factor or replica list above the registered brokers
//   INVALID_REPLICATION_FACTOR / INVALID_REPLICA_ASSIGNMENT, a config value
//   over config.value.max.bytes INVALID_CONFIG; a request listing more topics
//   than max.partitions.per.request is POLICY_VIOLATION for every topic. The
//   controller checks the cluster's total (max.partitions).
import type { CreatableTopic } from '@kstream/metadata';
import { boundsProblem, checkTopicCount, checkCreatableTopicBounds } from '@kstream/metadata';
import { CreateTopics, ZERO_UUID } from '@kstream/protocol';
import type { ResponseOf } from '@kstream/protocol';
import { askController, forwardUnrefused, isAdminFailure } from './controller-admin.js';
import type { Refusal } from './controller-admin.js';
import type { ApiHandler, BrokerServices } from './handler.js';

type CreatableTopicResult = ResponseOf<typeof CreateTopics>['topics'][number];

export const createTopicsHandler: ApiHandler<typeof CreateTopics> = {
  api: CreateTopics,
  async handle(request, { broker }) {
    const requested = request.topics.map(
      (t): CreatableTopic => ({
        name: t.name,
        numPartitions: t.numPartitions,
        replicationFactor: t.replicationFactor,
        assignments: t.assignments.map((a) => ({ partitionIndex: a.partitionIndex, brokerIds: a.brokerIds })),
        configs: t.configs.map((c) => ({ name: c.name, value: c.value })),
      }),
    );
    const outcomes = await forwardUnrefused(requested, refusedHere(requested, broker), async (topics) => {
      const reply = await askController(broker, { type: 'CreateTopics', topics, validateOnly: request.validateOnly }, request.timeoutMs);
      return isAdminFailure(reply) ? reply : reply.topics;
    });
    const topics = request.topics.map(({ name }, i): CreatableTopicResult => {
      const outcome = outcomes[i]!;
      if (!('answer' in outcome)) return failed(name, outcome);
      const t = outcome.answer;
      return {
        name: t.name,
        topicId: t.topicId ?? ZERO_UUID,
        errorCode: t.errorCode,
        errorMessage: t.errorMessage,
        topicConfigErrorCode: 0,
        numPartitions: t.numPartitions,
        replicationFactor: t.replicationFactor,
        configs: t.configs.map((c) => ({
          name: c.name,
          value: c.value,
          readOnly: c.readOnly,
          configSource: c.configSource,
          isSensitive: c.isSensitive,
        })),
      };
    });
    return { throttleTimeMs: 0, topics };
  },
};

/** Each topic's refusal by the cheap bounds checks, which need no controller; undefined for those to forward. */
function refusedHere(topics: readonly CreatableTopic[], broker: BrokerServices): (Refusal | undefined)[] {
  const { config } = broker;
  const tooMany = boundsProblem(() => checkTopicCount('CreateTopics', topics.length, config));
  if (tooMany !== undefined) return topics.map(() => tooMany);
  const brokerCount = broker.metadata.state.brokers.size;
  return topics.map((topic) => boundsProblem(() => checkCreatableTopicBounds(topic, config, config['num.partitions'], brokerCount)));
}

function failed(name: string, { errorCode, errorMessage }: Refusal): CreatableTopicResult {
  return { name, topicId: ZERO_UUID, errorCode, errorMessage, topicConfigErrorCode: 0, numPartitions: -1, replicationFactor: -1, configs: [] };
}
