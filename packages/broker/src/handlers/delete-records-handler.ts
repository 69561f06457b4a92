// DeleteRecords v0–2
// - Moves each partition's log start offset up to the requested offset
//   (-1: the high watermark) on its leader and deletes the segments wholly
//   below it; the answer is the new low watermark (log start offset).
// - An offset beyond the high watermark, or negative other than -1, is
//   OFFSET_OUT_OF_RANGE; an offset at or below the log start offset changes
//   nothing and answers the current one.
// - With one replica the deletion is complete when answered; timeoutMs bounds
//   nothing yet (followers' log start offsets arrive with replication).
// - Per partition: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER,
//   KAFKA_STORAGE_ERROR.
import { DeleteRecords, ErrorCode } from '@kstream/protocol';
import { errorCodeOf } from '@kstream/replication';
import type { ApiHandler } from './handler.js';

export const deleteRecordsHandler: ApiHandler<typeof DeleteRecords> = {
  api: DeleteRecords,
  async handle(request, { broker }) {
    const replicas = broker.partitions;
    const topics = await Promise.all(
      request.topics.map(async ({ name, partitions }) => ({
        name,
        partitions: await Promise.all(
          partitions.map(async ({ partitionIndex, offset }) => {
            try {
              const lowWatermark = await replicas.deleteRecords(name, partitionIndex, offset);
              return { partitionIndex, lowWatermark, errorCode: ErrorCode.NONE };
            } catch (error) {
              return { partitionIndex, lowWatermark: -1n, errorCode: errorCodeOf(error) };
            }
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
};
