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
import { CreateTopics, ZERO_UUID } from '@kstream/protocol';
import type { ResponseOf } from '@kstream/protocol';
import { askController, isAdminFailure } from './controller-admin.js';
import type { ApiHandler } from './handler.js';

type CreatableTopicResult = ResponseOf<typeof CreateTopics>['topics'][number];

export const createTopicsHandler: ApiHandler<typeof CreateTopics> = {
  api: CreateTopics,
  async handle(request, { broker }) {
    const reply = await askController(
      broker,
      {
        type: 'CreateTopics',
        topics: request.topics.map((t) => ({
          name: t.name,
          numPartitions: t.numPartitions,
          replicationFactor: t.replicationFactor,
          assignments: t.assignments.map((a) => ({ partitionIndex: a.partitionIndex, brokerIds: a.brokerIds })),
          configs: t.configs.map((c) => ({ name: c.name, value: c.value })),
        })),
        validateOnly: request.validateOnly,
      },
      request.timeoutMs,
    );
    const topics: CreatableTopicResult[] = isAdminFailure(reply)
      ? request.topics.map(({ name }) => ({
          name,
          topicId: ZERO_UUID,
          errorCode: reply.errorCode,
          errorMessage: reply.errorMessage,
          topicConfigErrorCode: 0,
          numPartitions: -1,
          replicationFactor: -1,
          configs: [],
        }))
      : reply.topics.map((t) => ({
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
        }));
    return { throttleTimeMs: 0, topics };
  },
};
