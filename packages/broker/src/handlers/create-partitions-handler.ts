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
import { CreatePartitions } from '@kstream/protocol';
import { askController, isAdminFailure } from './controller-admin.js';
import type { ApiHandler } from './handler.js';

export const createPartitionsHandler: ApiHandler<typeof CreatePartitions> = {
  api: CreatePartitions,
  async handle(request, { broker }) {
    const reply = await askController(
      broker,
      {
        type: 'CreatePartitions',
        topics: request.topics.map(({ name, count, assignments }) => ({
          name,
          count,
          assignments: assignments === null ? null : assignments.map((a) => a.brokerIds),
        })),
        validateOnly: request.validateOnly,
      },
      request.timeoutMs,
    );
    const results = isAdminFailure(reply)
      ? request.topics.map(({ name }) => ({ name, errorCode: reply.errorCode, errorMessage: reply.errorMessage }))
      : reply.results.map(({ name, errorCode, errorMessage }) => ({ name, errorCode, errorMessage }));
    return { throttleTimeMs: 0, results };
  },
};
