import { describe, expect, it } from 'vitest';
import { ErrorCode, ListOffsets, type RequestOf, type ResponseOf } from '@kstream/protocol';
import { clusterRecords, overTheWire, testBroker, type TestBroker } from '../partitions/broker-services.test-support.js';
import { batch } from '../partitions/partitions.test-support.js';
import { listOffsetsHandler } from './list-offsets-handler.js';

const ORDERS = { name: 'orders', topicId: '0c0c0c0c-0000-4000-8000-000000000001', leaderEpoch: 6 };
const ELSEWHERE = { name: 'elsewhere', topicId: '0c0c0c0c-0000-4000-8000-000000000002', leader: 2 };

function request(partitions: [topic: string, partition: number, timestamp: bigint][], currentLeaderEpoch = -1): RequestOf<typeof ListOffsets> {
  return {
    replicaId: -1,
    isolationLevel: 0,
    topics: partitions.map(([name, partitionIndex, timestamp]) => ({ name, partitions: [{ partitionIndex, currentLeaderEpoch, timestamp, maxNumOffsets: 1 }] })),
  };
}

async function listOffsets(broker: TestBroker, version: number, req: RequestOf<typeof ListOffsets>): Promise<ResponseOf<typeof ListOffsets>> {
  const answer = await listOffsetsHandler.handle(req, broker.context(ListOffsets, version));
  if (typeof answer === 'symbol') throw new Error('ListOffsets is always answered');
  return overTheWire(ListOffsets, version, answer);
}

describe('ListOffsets handler', () => {
  it('everyVersion: v1+ answer offset and timestamp (v4+ the leader epoch); v0 the old-style offsets array', async () => {
    const broker = await testBroker(clusterRecords(ORDERS));
    await broker.services.partitions.appendRecords('orders', 0, await batch(['a', 'b', 'c'], { timestamps: [100, 200, 300] }), 1, 1000);
    for (let version = 0; version <= 8; version++) {
      const response = await listOffsets(
        broker,
        version,
        request([
          ['orders', 0, -1n],
          ['orders', 0, 150n],
          ['orders', 0, -2n],
        ]),
      );
      const [latest, byTime, earliest] = response.topics.map((t) => t.partitions[0]!);
      if (version === 0) {
        expect([latest!.oldStyleOffsets, byTime!.oldStyleOffsets, earliest!.oldStyleOffsets]).toEqual([[3n], [1n], [0n]]);
        continue;
      }
      expect([latest!.offset, byTime!.offset, earliest!.offset]).toEqual([3n, 1n, 0n]);
      expect(byTime!.timestamp).toBe(200n);
      expect(latest!.leaderEpoch).toBe(version >= 4 ? 6 : -1);
    }
  });

  it('maxTimestampV7: -3 answers the record with the greatest timestamp', async () => {
    const broker = await testBroker(clusterRecords(ORDERS));
    await broker.services.partitions.appendRecords('orders', 0, await batch(['a', 'b', 'c'], { timestamps: [100, 900, 300] }), 1, 1000);
    const response = await listOffsets(broker, 7, request([['orders', 0, -3n]]));
    expect(response.topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, offset: 1n, timestamp: 900n });
  });

  it("partitionErrors: unknown partition, another broker's partition and a stale leader epoch each fail alone", async () => {
    const broker = await testBroker(clusterRecords(ORDERS, ELSEWHERE));
    const response = await listOffsets(
      broker,
      5,
      request([
        ['orders', 3, -1n],
        ['elsewhere', 0, -1n],
        ['orders', 0, -1n],
      ]),
    );
    expect(response.topics.map((t) => t.partitions[0]!.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.NOT_LEADER_OR_FOLLOWER, 0]);
    const fenced = await listOffsets(broker, 5, request([['orders', 0, -1n]], 2));
    expect(fenced.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.FENCED_LEADER_EPOCH, offset: -1n });
  });
});
