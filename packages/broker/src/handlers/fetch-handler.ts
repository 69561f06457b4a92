// Fetch v4–16
// - Reads each partition's log from fetchOffset up to the high watermark.
//   read_committed (isolationLevel 1) reads up to the last stable offset —
//   the first offset of the earliest transaction still open, or whose
//   marker is not yet replicated — and lists the aborted transactions
//   (producer id, first offset) whose data lies in the records returned,
//   so the consumer drops their records; read_uncommitted lists none
//   (null). Records are the log's bytes, returned without a copy: control
//   batches (markers) included, as Kafka sends them.
// - Byte limits: each partition gets at most partitionMaxBytes and what is
//   left of the request's maxBytes, itself at most fetch.max.bytes (as in
//   Kafka, a larger maxBytes is lowered, not refused); the first batch of the
//   first partition with data is returned whole even when larger, so a fetch
//   always progresses. Nothing is allocated for a limit: reads take the bytes
//   the log has, up to it.
// - Long poll: unless the first read gives minBytes, an error, or maxWaitMs is
//   0, the fetch parks until appends bring minBytes, maxWaitMs passes, or a
//   partition changes (deleted, leadership moved); then it reads again.
// - Sessions (KIP-227, v7+): epoch 0 opens a FULL session (id 0 when the
//   cache, max.incremental.fetch.session.cache.slots, has no slot, or
//   max.incremental.fetch.session.cache.partitions no room); later
//   epochs are incremental — they add, update and forget partitions, and the
//   response carries only partitions with records, errors or changed
//   offsets. Epoch -1 closes the session. An unknown session, or one grown
//   past the partition budget (then dropped), is FETCH_SESSION_ID_NOT_FOUND,
//   a wrong epoch INVALID_FETCH_SESSION_EPOCH.
// - v13+ names topics by id: an unknown id is UNKNOWN_TOPIC_ID.
// - Per partition: OFFSET_OUT_OF_RANGE (with the log start offset and high
//   watermark), UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER (v12+:
//   with the leader this broker knows; v16: its endpoint),
//   FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH, KAFKA_STORAGE_ERROR.
// - Every fetch is served as a consumer's: follower fetches (replicaId >= 0)
//   arrive with replication.
import { ErrorCode, Fetch, ZERO_UUID, type RequestOf, type ResponseOf } from '@kstream/protocol';
import type { BrokerMetadata } from '../metadata/broker-metadata.js';
import { newFetchContext, type FetchResponsePartition } from '../partitions/fetch-context.js';
import type { FetchPartitionParams } from '../partitions/fetch-session.js';
import { leaderEndpoints } from '../partitions/leader-endpoints.js';
import type { ApiHandler } from './handler.js';

type FetchRequest = RequestOf<typeof Fetch>;
type FetchResponse = ResponseOf<typeof Fetch>;
type TopicResponse = FetchResponse['responses'][number];
type PartitionData = TopicResponse['partitions'][number];

const READ_COMMITTED = 1;

export const fetchHandler: ApiHandler<typeof Fetch> = {
  api: Fetch,
  async handle(request, { apiVersion, broker }) {
    const replicas = broker.partitions;
    const usesTopicIds = apiVersion >= 13;
    const context = newFetchContext(replicas.fetchSessions, {
      sessionId: request.sessionId,
      sessionEpoch: request.sessionEpoch,
      partitions: requestedPartitions(request, usesTopicIds, broker.metadata),
      forgotten: request.forgottenTopicsData.flatMap((t) => {
        const topic = usesTopicIds ? (broker.metadata.topicById(t.topicId)?.name ?? '') : t.topic;
        return t.partitions.map((partition) => ({ topic, topicId: usesTopicIds ? t.topicId : ZERO_UUID, partition }));
      }),
      usesTopicIds,
    });
    if (context.errorCode !== ErrorCode.NONE) {
      return { throttleTimeMs: 0, errorCode: context.errorCode, sessionId: 0, responses: [], nodeEndpoints: [] };
    }
    const readCommitted = request.isolationLevel === READ_COMMITTED;
    const results = await replicas.fetchMessages({
      maxWaitMs: request.maxWaitMs,
      minBytes: request.minBytes,
      maxBytes: Math.min(request.maxBytes, broker.config['fetch.max.bytes']),
      readCommitted,
      partitions: context.partitions,
    });
    const { sessionId, partitions } = context.respond(results);
    const responses = groupByTopic(partitions, readCommitted, broker.metadata);
    const leaderIds = responses.flatMap((t) => t.partitions.map((p) => p.currentLeader.leaderId));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId, responses, nodeEndpoints: leaderEndpoints(leaderIds, broker.metadata) };
  },
};

function requestedPartitions(request: FetchRequest, usesTopicIds: boolean, metadata: BrokerMetadata): FetchPartitionParams[] {
  return request.topics.flatMap((t) => {
    const topic = usesTopicIds ? (metadata.topicById(t.topicId)?.name ?? '') : t.topic;
    const topicId = usesTopicIds ? t.topicId : ZERO_UUID;
    return t.partitions.map((p) => ({
      topic,
      topicId,
      partition: p.partition,
      fetchOffset: p.fetchOffset,
      partitionMaxBytes: p.partitionMaxBytes,
      currentLeaderEpoch: p.currentLeaderEpoch,
    }));
  });
}

/** Consecutive partitions of one topic share a topic entry, in the order they were read. */
function groupByTopic(partitions: readonly FetchResponsePartition[], readCommitted: boolean, metadata: BrokerMetadata): TopicResponse[] {
  const topics: TopicResponse[] = [];
  for (const { params, result } of partitions) {
    let last = topics[topics.length - 1];
    if (last === undefined || last.topic !== params.topic || last.topicId !== params.topicId) {
      last = { topic: params.topic, topicId: params.topicId, partitions: [] };
      topics.push(last);
    }
    const leader = needsLeader(result.errorCode) ? metadata.partition(params.topic, params.partition) : undefined;
    const data: PartitionData = {
      partitionIndex: params.partition,
      errorCode: result.errorCode,
      highWatermark: result.highWatermark,
      lastStableOffset: result.lastStableOffset,
      logStartOffset: result.logStartOffset,
      divergingEpoch: { epoch: -1, endOffset: -1n },
      currentLeader: { leaderId: leader?.leader ?? -1, leaderEpoch: leader?.leaderEpoch ?? -1 },
      snapshotId: { endOffset: -1n, epoch: -1 },
      abortedTransactions: readCommitted ? (result.abortedTransactions ?? []) : null,
      preferredReadReplica: -1,
      records: result.records,
    };
    last.partitions.push(data);
  }
  return topics;
}

function needsLeader(errorCode: number): boolean {
  return errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || errorCode === ErrorCode.FENCED_LEADER_EPOCH;
}
