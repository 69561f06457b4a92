import { describe, expect, it } from 'vitest';
import { DescribeProducers, ErrorCode, type ResponseOf } from '@kstream/protocol';
import { clusterRecords, overTheWire, testBroker } from '../partitions/broker-services.test-support.js';
import { producerBatch } from '../txn/txn-batches.test-support.js';
import { describeProducersHandler } from './describe-producers-handler.js';
import { NO_RESPONSE } from './handler.js';

const ORDERS = { name: 'orders', topicId: '0f0f0f0f-0000-4000-8000-000000000001' };
const ELSEWHERE = { name: 'elsewhere', topicId: '0f0f0f0f-0000-4000-8000-000000000002', leader: 2 };

describe('DescribeProducers handler', () => {
  it("activeProducersOnLeader: each producer with its last sequence and epoch, and the open transaction's first offset", async () => {
    const broker = await testBroker(clusterRecords(ORDERS, ELSEWHERE));
    const { partitions } = broker.services;
    await partitions.appendRecords('orders', 0, await producerBatch(['a', 'b', 'c'], { producerId: 11n, producerEpoch: 2, baseSequence: 0 }), 1, 1000);
    await partitions.appendRecords('orders', 0, await producerBatch(['t'], { producerId: 12n, baseSequence: 0, transactional: true }), 1, 1000);
    const answer = await describeProducersHandler.handle(
      {
        topics: [
          { name: 'orders', partitionIndexes: [0, 5] },
          { name: 'elsewhere', partitionIndexes: [0] },
        ],
      },
      broker.context(DescribeProducers, 0),
    );
    if (answer === NO_RESPONSE) throw new Error('DescribeProducers must be answered');
    const [orders, elsewhere] = overTheWire(DescribeProducers, 0, answer as ResponseOf<typeof DescribeProducers>).topics;
    const [led, unknown] = orders!.partitions;
    expect(led!.errorCode).toBe(ErrorCode.NONE);
    const byId = new Map(led!.activeProducers.map((p) => [p.producerId, p]));
    expect(byId.get(11n)).toMatchObject({ producerEpoch: 2, lastSequence: 2, currentTxnStartOffset: -1n });
    expect(byId.get(12n)).toMatchObject({ producerEpoch: 0, lastSequence: 0, currentTxnStartOffset: 3n });
    expect(unknown).toMatchObject({ partitionIndex: 5, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, activeProducers: [] });
    expect(elsewhere!.partitions[0]).toMatchObject({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, activeProducers: [] });
    expect(elsewhere!.partitions[0]!.errorMessage).toContain('elsewhere-0');
  });
});
