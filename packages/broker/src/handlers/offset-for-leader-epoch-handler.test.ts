import { describe, expect, it } from 'vitest';
import { ErrorCode, OffsetForLeaderEpoch, type ResponseOf } from '@kstream/protocol';
import { clusterRecords, overTheWire, testBroker } from '../partitions/broker-services.test-support.js';
import { batch } from '../partitions/partitions.test-support.js';
import { offsetForLeaderEpochHandler } from './offset-for-leader-epoch-handler.js';

const ORDERS = { name: 'orders', topicId: '0f0f0f0f-0000-4000-8000-000000000001', leaderEpoch: 2 };

describe('OffsetForLeaderEpoch handler', () => {
  it('endOffsets: the current epoch ends at the log end offset, an unknown newer one at -1; errors per partition; every version', async () => {
    const broker = await testBroker(clusterRecords(ORDERS));
    await broker.services.partitions.appendRecords('orders', 0, await batch(['a', 'b']), 1, 1000);
    for (const version of [0, 1, 2, 3, 4]) {
      const answer = await offsetForLeaderEpochHandler.handle(
        {
          replicaId: -1,
          topics: [
            {
              topic: 'orders',
              partitions: [
                { partition: 0, currentLeaderEpoch: -1, leaderEpoch: 2 },
                { partition: 0, currentLeaderEpoch: -1, leaderEpoch: 9 },
              ],
            },
            { topic: 'missing', partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] },
          ],
        },
        broker.context(OffsetForLeaderEpoch, version),
      );
      if (typeof answer === 'symbol') throw new Error('OffsetForLeaderEpoch is always answered');
      const response: ResponseOf<typeof OffsetForLeaderEpoch> = overTheWire(OffsetForLeaderEpoch, version, answer);
      expect(response.topics.map((t) => t.partitions.map((p) => [p.errorCode, p.leaderEpoch, p.endOffset]))).toEqual([
        [
          [0, version >= 1 ? 2 : -1, 2n],
          [0, -1, -1n],
        ],
        [[ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1n]],
      ]);
    }
  });

  it('fencedEpoch: v2+ refuses a stale currentLeaderEpoch with FENCED_LEADER_EPOCH', async () => {
    const broker = await testBroker(clusterRecords(ORDERS));
    const answer = await offsetForLeaderEpochHandler.handle(
      { replicaId: -1, topics: [{ topic: 'orders', partitions: [{ partition: 0, currentLeaderEpoch: 1, leaderEpoch: 2 }] }] },
      broker.context(OffsetForLeaderEpoch, 3),
    );
    if (typeof answer === 'symbol') throw new Error('OffsetForLeaderEpoch is always answered');
    expect(answer.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
  });
});
