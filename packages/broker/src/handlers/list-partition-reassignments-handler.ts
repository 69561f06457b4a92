// ListPartitionReassignments v0
// - Forwarded to the controller: the ongoing reassignments (KIP-455) of
//   every partition (topics null) or of the named ones, each with its
//   replicas (target, then those being removed), addingReplicas and
//   removingReplicas. Partitions without one, and unknown topics and
//   partitions, are left out, as in Kafka.
// - A failure of the whole request (timeoutMs ran out, the broker is
//   stopping) is the top-level error with no topics.
import { ErrorCode, ListPartitionReassignments } from '@kstream/protocol';
import { askController, isAdminFailure } from './controller-admin.js';
import type { ApiHandler } from './handler.js';

export const listPartitionReassignmentsHandler: ApiHandler<typeof ListPartitionReassignments> = {
  api: ListPartitionReassignments,
  async handle(request, { broker }) {
    const topics = request.topics?.map(({ name, partitionIndexes }) => ({ name, partitions: partitionIndexes })) ?? null;
    const reply = await askController(broker, { type: 'ListPartitionReassignments', topics }, request.timeoutMs);
    if (isAdminFailure(reply)) return { throttleTimeMs: 0, errorCode: reply.errorCode, errorMessage: reply.errorMessage, topics: [] };
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      topics: reply.topics.map(({ name, partitions }) => ({
        name,
        partitions: partitions.map(({ partition, replicas, addingReplicas, removingReplicas }) => ({
          partitionIndex: partition,
          replicas: [...replicas],
          addingReplicas: [...addingReplicas],
          removingReplicas: [...removingReplicas],
        })),
      })),
    };
  },
};
