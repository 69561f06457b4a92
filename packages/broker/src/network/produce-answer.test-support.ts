import type { Produce, ResponseOf } from '@kstream/protocol';

type ProduceResponse = ResponseOf<typeof Produce>;

/**
 * A Produce response for network tests, whose handlers report what they got
 * through its fields: one topic `name` with one partition answering `index`,
 * `errorCode` and `baseOffset`, the rest as a v7 leader answers.
 */
export function produceAnswer(name: string, partitions: readonly { index: number; errorCode?: number; baseOffset?: bigint }[]): ProduceResponse {
  return {
    responses: [
      {
        name,
        partitionResponses: partitions.map(({ index, errorCode = 0, baseOffset = 0n }) => ({
          index,
          errorCode,
          baseOffset,
          logAppendTimeMs: -1n,
          logStartOffset: 0n,
          recordErrors: [],
          errorMessage: null,
          currentLeader: { leaderId: -1, leaderEpoch: -1 },
        })),
      },
    ],
    throttleTimeMs: 0,
    nodeEndpoints: [],
  };
}
