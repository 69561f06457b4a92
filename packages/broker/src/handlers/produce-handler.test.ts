import { describe, expect, it } from 'vitest';
import { ErrorCode, Produce, type RequestOf } from '@kstream/protocol';
import { clusterRecords, overTheWire, testBroker } from '../partitions/broker-services.test-support.js';
import { batch } from '../partitions/partitions.test-support.js';
import { producerBatch } from '../txn/txn-batches.test-support.js';
import { NO_RESPONSE } from './handler.js';
import { produceHandler } from './produce-handler.js';

const ORDERS = { name: 'orders', topicId: '0a0a0a0a-0000-4000-8000-000000000001', partitions: 2 };
const ELSEWHERE = { name: 'elsewhere', topicId: '0a0a0a0a-0000-4000-8000-000000000002', leader: 2, leaderEpoch: 5 };
const SMALL = { name: 'small', topicId: '0a0a0a0a-0000-4000-8000-000000000003', configs: { 'max.message.bytes': '100' } };

function produce(acks: number, topicData: { name: string; partitions: [number, Buffer | null][] }[]): RequestOf<typeof Produce> {
  return {
    transactionalId: null,
    acks,
    timeoutMs: 1000,
    topicData: topicData.map(({ name, partitions }) => ({ name, partitionData: partitions.map(([index, records]) => ({ index, records })) })),
  };
}

describe('Produce handler', () => {
  it("internalTopicRefused: a client's batch for __consumer_offsets is INVALID_TOPIC_EXCEPTION and nothing is written", async () => {
    const broker = await testBroker(clusterRecords({ name: '__consumer_offsets', topicId: '0a0a0a0a-0000-4000-8000-00000000000c' }));
    const answer = await produceHandler.handle(produce(1, [{ name: '__consumer_offsets', partitions: [[0, await batch(['junk'])]] }]), broker.context(Produce, 9));
    if (answer === NO_RESPONSE) throw new Error('acks=1 must be answered');
    expect(answer.responses[0]!.partitionResponses[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
      errorMessage: 'Cannot append to internal topic __consumer_offsets',
    });
    expect(broker.services.partitions.partition('__consumer_offsets', 0)!.logEndOffset).toBe(0n);
  });

  it('perPartitionResults: each partition is answered on its own — appended, unknown, led elsewhere, too large — in every version', async () => {
    const broker = await testBroker(clusterRecords(ORDERS, ELSEWHERE, SMALL));
    for (const version of [3, 7, 8, 9, 10, 11]) {
      const request = produce(1, [
        {
          name: 'orders',
          partitions: [
            [0, await batch(['a', 'b'])],
            [1, await batch(['c'])],
            [7, await batch(['d'])],
          ],
        },
        { name: 'elsewhere', partitions: [[0, await batch(['e'])]] },
        { name: 'small', partitions: [[0, await batch(['f'.repeat(200)])]] },
      ]);
      const answer = await produceHandler.handle(request, broker.context(Produce, version));
      if (answer === NO_RESPONSE) throw new Error('acks=1 must be answered');
      const response = overTheWire(Produce, version, answer);
      const [orders, elsewhere, small] = response.responses;
      expect(orders!.partitionResponses.map((p) => [p.index, p.errorCode])).toEqual([
        [0, 0],
        [1, 0],
        [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ]);
      expect(orders!.partitionResponses[0]!.logStartOffset).toBe(version >= 5 ? 0n : -1n);
      expect(elsewhere!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      expect(small!.partitionResponses[0]!.errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
      if (version >= 8) expect(small!.partitionResponses[0]!.errorMessage).toContain('max.message.bytes=100');
      if (version >= 10) {
        expect(elsewhere!.partitionResponses[0]!.currentLeader).toEqual({ leaderId: 2, leaderEpoch: 5 });
        expect(response.nodeEndpoints).toEqual([{ nodeId: 2, host: '127.0.0.1', port: 9093, rack: null }]);
      }
    }
    // Six versions, two records to partition 0 each time.
    expect(broker.services.partitions.partition('orders', 0)!.logEndOffset).toBe(12n);
  });

  it('baseOffsetsFollowOn: successive produces answer consecutive base offsets', async () => {
    const broker = await testBroker(clusterRecords(ORDERS));
    const offsets: bigint[] = [];
    for (const values of [['a', 'b', 'c'], ['d'], ['e', 'f']]) {
      const answer = await produceHandler.handle(produce(-1, [{ name: 'orders', partitions: [[0, await batch(values)]] }]), broker.context(Produce, 9));
      if (answer === NO_RESPONSE) throw new Error('acks=-1 must be answered');
      offsets.push(answer.responses[0]!.partitionResponses[0]!.baseOffset);
    }
    expect(offsets).toEqual([0n, 3n, 4n]);
  });

  it('invalidRequiredAcks: acks outside -1, 0, 1 fails every partition and appends nothing', async () => {
    const broker = await testBroker(clusterRecords(ORDERS));
    const answer = await produceHandler.handle(
      produce(2, [
        {
          name: 'orders',
          partitions: [
            [0, await batch(['a'])],
            [1, await batch(['b'])],
          ],
        },
      ]),
      broker.context(Produce, 7),
    );
    if (answer === NO_RESPONSE) throw new Error('an invalid acks must be answered');
    expect(answer.responses[0]!.partitionResponses.map((p) => p.errorCode)).toEqual([ErrorCode.INVALID_REQUIRED_ACKS, ErrorCode.INVALID_REQUIRED_ACKS]);
    expect(broker.services.partitions.partition('orders', 0)!.logEndOffset).toBe(0n);
  });

  it('noBatch: a partition without records is INVALID_RECORD', async () => {
    const broker = await testBroker(clusterRecords(ORDERS));
    const answer = await produceHandler.handle(
      produce(1, [
        {
          name: 'orders',
          partitions: [
            [0, null],
            [1, Buffer.alloc(0)],
          ],
        },
      ]),
      broker.context(Produce, 9),
    );
    if (answer === NO_RESPONSE) throw new Error('acks=1 must be answered');
    expect(answer.responses[0]!.partitionResponses.map((p) => p.errorCode)).toEqual([ErrorCode.INVALID_RECORD, ErrorCode.INVALID_RECORD]);
  });

  it('acksZero: no response once appended; a failed partition closes the connection instead', async () => {
    const broker = await testBroker(clusterRecords(ORDERS));
    const answer = await produceHandler.handle(produce(0, [{ name: 'orders', partitions: [[0, await batch(['a'])]] }]), broker.context(Produce, 7));
    expect(answer).toBe(NO_RESPONSE);
    expect(broker.services.partitions.partition('orders', 0)!.logEndOffset).toBe(1n);
    const failing = produceHandler.handle(produce(0, [{ name: 'missing', partitions: [[0, await batch(['a'])]] }]), broker.context(Produce, 7));
    await expect(failing).rejects.toThrow(/acks=0 failed.*missing-0/);
  });

  it('idempotentRetrySameOffset: a retried batch of an idempotent producer answers its first base offset and is not written twice', async () => {
    const broker = await testBroker(clusterRecords(ORDERS));
    const send = async (values: string[], baseSequence: number) => {
      const records = await producerBatch(values, { producerId: 42n, baseSequence });
      const answer = await produceHandler.handle(produce(-1, [{ name: 'orders', partitions: [[0, records]] }]), broker.context(Produce, 9));
      if (answer === NO_RESPONSE) throw new Error('acks=-1 must be answered');
      return overTheWire(Produce, 9, answer).responses[0]!.partitionResponses[0]!;
    };
    expect(await send(['a', 'b'], 0)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(await send(['c'], 2)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2n });
    expect(await send(['a', 'b'], 0)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(await send(['c'], 2)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2n });
    expect(broker.services.partitions.partition('orders', 0)!.logEndOffset).toBe(3n);
  });

  it('outOfOrderSequence: a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER naming the producer, and nothing is written', async () => {
    const broker = await testBroker(clusterRecords(ORDERS));
    await produceHandler.handle(produce(1, [{ name: 'orders', partitions: [[0, await producerBatch(['a'], { producerId: 42n, baseSequence: 0 })]] }]), broker.context(Produce, 9));
    const gap = await producerBatch(['z'], { producerId: 42n, baseSequence: 7 });
    const answer = await produceHandler.handle(produce(1, [{ name: 'orders', partitions: [[0, gap]] }]), broker.context(Produce, 9));
    if (answer === NO_RESPONSE) throw new Error('acks=1 must be answered');
    const partition = overTheWire(Produce, 9, answer).responses[0]!.partitionResponses[0]!;
    expect(partition.errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(partition.errorMessage).toContain('42');
    expect(broker.services.partitions.partition('orders', 0)!.logEndOffset).toBe(1n);
  });
});
