import { describe, expect, it } from 'vitest';
import { DeleteRecords, ErrorCode, type ResponseOf } from '@kstream/protocol';
import { clusterRecords, overTheWire, testBroker } from '../partitions/broker-services.test-support.js';
import { batch } from '../partitions/partitions.test-support.js';
import { deleteRecordsHandler } from './delete-records-handler.js';

const ORDERS = { name: 'orders', topicId: '0d0d0d0d-0000-4000-8000-000000000001', partitions: 3 };

describe('DeleteRecords handler', () => {
  it('lowWatermarks: each partition answers its new log start offset or its own error, in every version', async () => {
    const broker = await testBroker(clusterRecords(ORDERS));
    for (const partition of [0, 1, 2]) {
      for (let i = 0; i < 4; i++) await broker.services.partitions.appendRecords('orders', partition, await batch(['r']), 1, 1000);
    }
    for (const version of [0, 1, 2]) {
      const answer = await deleteRecordsHandler.handle(
        {
          timeoutMs: 1000,
          topics: [
            {
              name: 'orders',
              partitions: [
                { partitionIndex: 0, offset: 2n },
                { partitionIndex: 1, offset: -1n },
                { partitionIndex: 2, offset: 9n },
              ],
            },
            { name: 'missing', partitions: [{ partitionIndex: 0, offset: 1n }] },
          ],
        },
        broker.context(DeleteRecords, version),
      );
      if (typeof answer === 'symbol') throw new Error('DeleteRecords is always answered');
      const response: ResponseOf<typeof DeleteRecords> = overTheWire(DeleteRecords, version, answer);
      expect(response.topics.map((t) => t.partitions.map((p) => [p.partitionIndex, p.lowWatermark, p.errorCode]))).toEqual([
        [
          [0, 2n, 0],
          [1, 4n, 0],
          [2, -1n, ErrorCode.OFFSET_OUT_OF_RANGE],
        ],
        [[0, -1n, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]],
      ]);
    }
    expect(broker.services.partitions.partition('orders', 0)!.logStartOffset).toBe(2n);
  });
});
