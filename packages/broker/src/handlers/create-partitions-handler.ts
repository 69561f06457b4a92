// CreatePartitions v0–3
// - Forwarded to the controller: each topic grows to `count` partitions,
//   placed over the live brokers or as the manual assignments say (one
//   replica list per added partition). An unknown topic is
//   UNKNOWN_TOPIC_OR_PARTITION, a count that is no increase
//   INVALID_PARTITIONS, a bad assignment INVALID_REPLICA_ASSIGNMENT; the
//   other topics still grow.
// - validateOnly runs every check and changes nothing.
// - The reply waits until this broker's metadata shows the new partitions;
//   timeoutMs bounds the wait (REQUEST_TIMED_OUT when it runs out).
// - Bounds are checked here before anything is forwarded: a topic growing by
//   more than max.partitions.per.request, or listing more assignments, is
//   INVALID_PARTITIONS; a replica list longer than the registered brokers
//   INVALID_REPLICA_ASSIGNMENT; a request listing more topics than
//   max.partitions.per.request POLICY_VIOLATION for every topic. The
//   controller checks the cluster's total (max.partitions).
import type { CreatePartitionsRequest } from '@kstream/metadata';
import { boundsProblem, checkTopicCount, checkPartitionsPerTopic, checkReplicaListLengths } from '@kstream/metadata';
import { CreatePartitions } from '@kstream/protocol';
import { askController, forwardUnrefused, isAdminFailure } from './controller-admin.js';
import type { Refusal } from './controller-admin.js';
import type { ApiHandler, BrokerServices } from './handler.js';

type RequestedTopic = CreatePartitionsRequest['topics'][number];

export const createPartitionsHandler: ApiHandler<typeof CreatePartitions> = {
  api: CreatePartitions,
  async handle(request, { broker }) {
    const requested = request.topics.map(
      ({ name, count, assignments }): RequestedTopic => ({
        name,
        count,
        assignments: assignments === null ? null : assignments.map((a) => a.brokerIds),
      }),
    );
    const outcomes = await forwardUnrefused(requested, refusedHere(requested, broker), async (topics) => {
      const reply = await askController(broker, { type: 'CreatePartitions', topics, validateOnly: request.validateOnly }, request.timeoutMs);
      return isAdminFailure(reply) ? reply : reply.results;
    });
    const results = request.topics.map(({ name }, i) => {
      const outcome = outcomes[i]!;
      const { errorCode, errorMessage } = 'answer' in outcome ? outcome.answer : outcome;
      return { name, errorCode, errorMessage };
    });
    return { throttleTimeMs: 0, results };
  },
};

/** Each topic's refusal by the cheap bounds checks; undefined for those to forward. */
function refusedHere(topics: readonly RequestedTopic[], broker: BrokerServices): (Refusal | undefined)[] {
  const tooMany = boundsProblem(() => checkTopicCount('CreatePartitions', topics.length, broker.config));
  if (tooMany !== undefined) return topics.map(() => tooMany);
  const brokerCount = broker.metadata.state.brokers.size;
  return topics.map(({ name, count, assignments }) =>
    boundsProblem(() => {
      const current = broker.metadata.topicByName(name)?.partitions.length;
      // An unknown topic, or a count that is no increase, is the controller's to answer.
      if (current !== undefined && count > current) checkPartitionsPerTopic(name, count - current, broker.config);
      if (assignments === null) return;
      checkPartitionsPerTopic(name, assignments.length, broker.config);
      checkReplicaListLengths(name, assignments, brokerCount);
    }),
  );
}
