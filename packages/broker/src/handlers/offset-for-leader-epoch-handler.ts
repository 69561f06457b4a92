// OffsetForLeaderEpoch v0–4
// - Answered by the partition's leader from its leader epoch cache: the end
//   offset of the requested epoch (the start of the next epoch, or the log
//   end offset for the current one) and, v1+, the epoch it belongs to — the
//   greatest known epoch <= the requested one. An epoch above every known
//   one answers epoch -1, end offset -1.
// - v2+ checks the client's currentLeaderEpoch (FENCED_LEADER_EPOCH /
//   UNKNOWN_LEADER_EPOCH).
// - Per partition: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER,
//   KAFKA_STORAGE_ERROR.
import { ErrorCode, OffsetForLeaderEpoch } from '@kstream/protocol';
import { errorCodeOf } from '@kstream/replication';
import type { ApiHandler } from './handler.js';

export const offsetForLeaderEpochHandler: ApiHandler<typeof OffsetForLeaderEpoch> = {
  api: OffsetForLeaderEpoch,
  async handle(request, { broker }) {
    const replicas = broker.partitions;
    const topics = await Promise.all(
      request.topics.map(async ({ topic, partitions }) => ({
        topic,
        partitions: await Promise.all(
          partitions.map(async ({ partition, leaderEpoch, currentLeaderEpoch }) => {
            try {
              const end = await replicas.lastOffsetForLeaderEpoch(topic, partition, leaderEpoch, currentLeaderEpoch);
              return { errorCode: ErrorCode.NONE, partition, leaderEpoch: end.epoch, endOffset: end.endOffset };
            } catch (error) {
              return { errorCode: errorCodeOf(error), partition, leaderEpoch: -1, endOffset: -1n };
            }
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
};
