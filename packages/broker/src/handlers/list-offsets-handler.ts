// ListOffsets v0–8
// - Answered by the partition's leader, counting only offsets a consumer
//   could fetch: below the high watermark (isolationLevel read_committed, v2+:
//   the last stable offset — the first offset of the earliest transaction
//   not yet ended, or ended by a marker not yet replicated).
// - timestamp -2 (earliest) and -4 (earliest local, v8): the log start offset;
//   -1 (latest): the high watermark with the current leader epoch; -3 (max
//   timestamp, v7+): the first record carrying the partition's greatest
//   timestamp; t >= 0: the first record whose timestamp is >= t, found through
//   the time index and the batch it points to (offset -1 when none is).
// - v4+ answers the leader epoch of the offset found and checks the client's
//   currentLeaderEpoch (FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH).
// - v0 answers in oldStyleOffsets: the one offset later versions give (Kafka's
//   segment-by-segment list for maxNumOffsets > 1 is not kept).
// - Per partition: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER,
//   KAFKA_STORAGE_ERROR.
import { ErrorCode, ListOffsets, type ResponseOf } from '@kstream/protocol';
import { errorCodeOf } from '@kstream/replication';
import type { ApiHandler } from './handler.js';

type PartitionResponse = ResponseOf<typeof ListOffsets>['topics'][number]['partitions'][number];

const READ_COMMITTED = 1;

export const listOffsetsHandler: ApiHandler<typeof ListOffsets> = {
  api: ListOffsets,
  async handle(request, { apiVersion, broker }) {
    const replicas = broker.partitions;
    const readCommitted = request.isolationLevel === READ_COMMITTED;
    const topics = await Promise.all(
      request.topics.map(async ({ name, partitions }) => ({
        name,
        partitions: await Promise.all(
          partitions.map(async ({ partitionIndex, timestamp, currentLeaderEpoch }): Promise<PartitionResponse> => {
            try {
              const found = await replicas.fetchOffsetForTimestamp(name, partitionIndex, timestamp, readCommitted, currentLeaderEpoch);
              return {
                partitionIndex,
                errorCode: ErrorCode.NONE,
                oldStyleOffsets: apiVersion === 0 && found.offset >= 0n ? [found.offset] : [],
                timestamp: found.timestamp,
                offset: found.offset,
                leaderEpoch: found.leaderEpoch,
              };
            } catch (error) {
              return { partitionIndex, errorCode: errorCodeOf(error), oldStyleOffsets: [], timestamp: -1n, offset: -1n, leaderEpoch: -1 };
            }
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
};
