// DescribeProducers v0
// - Answered by each partition's leader: the producers with state there
//   (producer id and epoch, last sequence written, the last batch's
//   timestamp, the epoch of the coordinator whose marker was last written
//   for it, and the first offset of its open transaction, -1 when none).
//   Clients ask each partition's leader.
// - Per partition: NOT_LEADER_OR_FOLLOWER on any other replica,
//   UNKNOWN_TOPIC_OR_PARTITION, with the error's message.
import { DescribeProducers, ErrorCode, type ResponseOf } from '@kstream/protocol';
import { errorCodeOf, errorMessageOf } from '@kstream/replication';
import type { ApiHandler } from './handler.js';

type PartitionResponse = ResponseOf<typeof DescribeProducers>['topics'][number]['partitions'][number];

export const describeProducersHandler: ApiHandler<typeof DescribeProducers> = {
  api: DescribeProducers,
  async handle(request, { broker }) {
    const topics = await Promise.all(
      request.topics.map(async ({ name, partitionIndexes }) => ({
        name,
        partitions: await Promise.all(
          partitionIndexes.map(async (partitionIndex): Promise<PartitionResponse> => {
            try {
              const leader = await broker.partitions.leaderPartition(name, partitionIndex);
              const activeProducers = leader.log.activeProducers().map((p) => ({
                producerId: p.producerId,
                producerEpoch: p.producerEpoch,
                lastSequence: p.lastSequence,
                lastTimestamp: p.lastTimestamp,
                coordinatorEpoch: p.coordinatorEpoch,
                currentTxnStartOffset: p.currentTxnStartOffset,
              }));
              return { partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers };
            } catch (error) {
              return { partitionIndex, errorCode: errorCodeOf(error), errorMessage: errorMessageOf(error), activeProducers: [] };
            }
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
};
