// ElectLeaders v0–2
// - v0 elects preferred leaders; v1+ names the election type: 0 preferred,
//   1 unclean (another value is INVALID_REQUEST for the whole request).
// - Forwarded to the controller. preferred: the first replica leads if it is
//   alive and in the ISR (ELECTION_NOT_NEEDED when it leads already,
//   PREFERRED_LEADER_NOT_AVAILABLE otherwise). unclean: a partition without
//   a leader elects any live replica (ELECTION_NOT_NEEDED when it has one,
//   ELIGIBLE_LEADERS_NOT_AVAILABLE when none is alive). An unknown topic or
//   partition is UNKNOWN_TOPIC_OR_PARTITION.
// - topicPartitions null elects every partition of the cluster; the results
//   leave out those that needed no election, as Kafka's do.
// - The reply waits until this broker's metadata shows the new leaders;
//   timeoutMs bounds the wait (REQUEST_TIMED_OUT when it runs out).
import type { ElectionType } from '@kstream/metadata';
import { ElectLeaders, ErrorCode } from '@kstream/protocol';
import type { RequestOf, ResponseOf } from '@kstream/protocol';
import { askController, isAdminFailure } from './controller-admin.js';
import type { ApiHandler } from './handler.js';

type Response = ResponseOf<typeof ElectLeaders>;

/** Kafka's ElectionType ids. */
const ELECTION_TYPES: readonly ElectionType[] = ['preferred', 'unclean'];

export const electLeadersHandler: ApiHandler<typeof ElectLeaders> = {
  api: ElectLeaders,
  async handle(request, { apiVersion, broker }) {
    const electionType = ELECTION_TYPES[apiVersion >= 1 ? request.electionType : 0];
    if (electionType === undefined) {
      const errorMessage = `Unknown election type ${request.electionType}: 0 (preferred) or 1 (unclean).`;
      return failed(request, ErrorCode.INVALID_REQUEST, errorMessage);
    }
    const reply = await askController(broker, { type: 'ElectLeaders', electionType, topicPartitions: request.topicPartitions }, request.timeoutMs);
    if (isAdminFailure(reply)) return failed(request, reply.errorCode, reply.errorMessage);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      replicaElectionResults: reply.results.map(({ topic, partitions }) => ({
        topic,
        partitionResult: partitions.map(({ partition, errorCode, errorMessage }) => ({ partitionId: partition, errorCode, errorMessage })),
      })),
    };
  },
};

/** Every requested partition (none when all were asked for) answered with one error, which v1+ also carries for the whole request. */
function failed(request: RequestOf<typeof ElectLeaders>, errorCode: number, errorMessage: string): Response {
  return {
    throttleTimeMs: 0,
    errorCode,
    replicaElectionResults: (request.topicPartitions ?? []).map(({ topic, partitions }) => ({
      topic,
      partitionResult: partitions.map((partitionId) => ({ partitionId, errorCode, errorMessage })),
    })),
  };
}
