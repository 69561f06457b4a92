// AlterPartitionReassignments v0
// - Forwarded to the controller (KIP-455). A partition's target replicas
//   start its reassignment: the new replicas follow the leader, join the
//   ISR once caught up, and then the partition drops the replicas not in
//   the target (a leader among them hands over to the first target replica
//   in the ISR). Null replicas cancel an ongoing reassignment.
// - Per partition: INVALID_REPLICA_ASSIGNMENT for an empty target, a broker
//   named twice or one not registered (or a cancel that would need an
//   unclean election); UNKNOWN_TOPIC_OR_PARTITION; NO_REASSIGNMENT_IN_PROGRESS
//   for a cancel with none ongoing.
// - The reply waits until this broker's metadata shows the change (timeoutMs
//   bounds it); a failure of the whole request is its top-level error and
//   every partition's, as Kafka's error response is.
import { AlterPartitionReassignments, ErrorCode } from '@kstream/protocol';
import type { RequestOf, ResponseOf } from '@kstream/protocol';
import { askController, isAdminFailure } from './controller-admin.js';
import type { ApiHandler } from './handler.js';

type Response = ResponseOf<typeof AlterPartitionReassignments>;

export const alterPartitionReassignmentsHandler: ApiHandler<typeof AlterPartitionReassignments> = {
  api: AlterPartitionReassignments,
  async handle(request, { broker }) {
    const topics = request.topics.map(({ name, partitions }) => ({
      name,
      partitions: partitions.map(({ partitionIndex, replicas }) => ({ partition: partitionIndex, replicas })),
    }));
    const reply = await askController(broker, { type: 'AlterPartitionReassignments', topics }, request.timeoutMs);
    if (isAdminFailure(reply)) return failed(request, reply.errorCode, reply.errorMessage);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      responses: reply.topics.map(({ name, partitions }) => ({
        name,
        partitions: partitions.map(({ partition, errorCode, errorMessage }) => ({ partitionIndex: partition, errorCode, errorMessage })),
      })),
    };
  },
};

function failed(request: RequestOf<typeof AlterPartitionReassignments>, errorCode: number, errorMessage: string): Response {
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage,
    responses: request.topics.map(({ name, partitions }) => ({
      name,
      partitions: partitions.map(({ partitionIndex }) => ({ partitionIndex, errorCode, errorMessage })),
    })),
  };
}
