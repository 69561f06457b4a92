import { randomBytes } from 'node:crypto';
import { decodeRecordBatch, ErrorCode, Produce } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { KafkaClientError, KafkaClosedError, KafkaProtocolError, KafkaRetriesExhaustedError } from '../errors/index.js';
import type { FakeHandler } from '../testing/fake-broker.test-support.js';
import { fakeBroker, producer, produceHandler, sentBatches, wireBatches, type ProduceRequest, type ProduceResponse } from './producer-fake.test-support.js';

describe('producer errors and requests', () => {
  it('aNonRetriableErrorFailsTheSendNamingTopicPartitionAndBroker', async () => {
    const broker = await fakeBroker({ [Produce.apiKey]: produceHandler(() => ErrorCode.MESSAGE_TOO_LARGE) });
    const error = await producer(broker, { idempotent: false })
      .send({ topic: 'orders', value: 'big', partition: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaProtocolError);
    expect(error).toMatchObject({ errorName: 'MESSAGE_TOO_LARGE', api: 'Produce', topic: 'orders', partition: 1, retriable: false });
    expect((error as Error).message).toContain(`broker 0 (${broker.address})`);
    expect(broker.requestsOf(Produce.apiKey)).toHaveLength(1);
  });

  it('aRetriableErrorIsRetriedUntilDeliveryTimeoutMs', async () => {
    const broker = await fakeBroker({ [Produce.apiKey]: produceHandler(() => ErrorCode.NOT_ENOUGH_REPLICAS) });
    const p = producer(broker, { idempotent: false, requestTimeoutMs: 200, deliveryTimeoutMs: 400 });
    const error = await p.send({ topic: 'orders', value: 'v', partition: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaRetriesExhaustedError);
    expect((error as Error).message).toContain('orders-0');
    expect((error as KafkaRetriesExhaustedError).cause).toMatchObject({ errorName: 'NOT_ENOUGH_REPLICAS' });
    expect(broker.requestsOf(Produce.apiKey).length).toBeGreaterThan(2);
  });

  it('notLeaderWithAKip951HintSendsTheRetryToTheNewLeader', async () => {
    const newLeader = await fakeBroker({ [Produce.apiKey]: produceHandler() });
    const hinted: FakeHandler = (body: ProduceRequest) => {
      const response = produceHandler(() => ErrorCode.NOT_LEADER_OR_FOLLOWER)(body, 11, undefined as never, undefined as never) as ProduceResponse;
      for (const t of response.responses) for (const p of t.partitionResponses) p.currentLeader = { leaderId: 7, leaderEpoch: 5 };
      response.nodeEndpoints = [{ nodeId: 7, host: newLeader.host, port: newLeader.port, rack: null }];
      return response;
    };
    const oldLeader = await fakeBroker({ [Produce.apiKey]: hinted });
    await expect(producer(oldLeader, { idempotent: false }).send({ topic: 'orders', value: 'moved', partition: 0 })).resolves.toMatchObject({
      offset: 0n,
    });
    expect(oldLeader.requestsOf(Produce.apiKey)).toHaveLength(1);
    expect(newLeader.requestsOf(Produce.apiKey)).toHaveLength(1);
  });

  it('oneProduceRequestCarriesEveryReadyPartitionOfItsLeader', async () => {
    const broker = await fakeBroker({ [Produce.apiKey]: produceHandler() });
    const p = producer(broker, { idempotent: false, lingerMs: 50 });
    await p.send([
      { topic: 'orders', value: 'a', partition: 0 },
      { topic: 'orders', value: 'b', partition: 1 },
      { topic: 'orders', value: 'c', partition: 0 },
    ]);
    const requests = broker.requestsOf(Produce.apiKey);
    expect(requests).toHaveLength(1);
    const batches = wireBatches(requests[0]!.body as ProduceRequest).sort((a, b) => a.partition - b.partition);
    expect(batches.map((b) => [b.partition, b.recordCount])).toEqual([
      [0, 2],
      [1, 1],
    ]);
    const decoded = await decodeRecordBatch(batches[0]!.bytes);
    expect(decoded.records.map((r) => r.value?.toString())).toEqual(['a', 'c']);
  });

  it('aSerializerReturningNoBytesFailsThatSendOnly', async () => {
    const broker = await fakeBroker({ [Produce.apiKey]: produceHandler() });
    const p = producer(broker, { idempotent: false, valueSerializer: { serialize: (value: string) => value as unknown as Buffer } });
    await expect(p.send({ topic: 'orders', value: 'text', partition: 0 })).rejects.toThrow(KafkaClientError);
    await expect(p.send({ topic: 'orders', value: null, partition: 0 })).resolves.toMatchObject({ offset: 0n });
    expect(sentBatches(broker)).toHaveLength(1);
  });

  it('aBadTimestampFailsThatSendOnly', async () => {
    const broker = await fakeBroker({ [Produce.apiKey]: produceHandler() });
    const p = producer(broker, { idempotent: false });
    await expect(p.send({ topic: 'orders', value: 'v', timestamp: 1.5 })).rejects.toThrow('timestamp 1.5 of a record to orders');
    await expect(p.send({ topic: 'orders', value: 'v', timestamp: 1_700_000_000_000 })).resolves.toMatchObject({ timestamp: 1_700_000_000_000 });
  });

  it('closeWithATimeoutFailsWhatTheBrokerNeverAnswered', async () => {
    const broker = await fakeBroker({ [Produce.apiKey]: () => undefined });
    const p = producer(broker, { idempotent: false, bufferMemory: 200, maxBlockMs: 10_000 });
    const unanswered = p.send({ topic: 'orders', value: 'x'.repeat(150), partition: 0 }).catch((e: unknown) => e);
    await expect.poll(() => broker.requestsOf(Produce.apiKey).length).toBe(1);
    const waitingForMemory = p.send({ topic: 'orders', value: 'y'.repeat(150), partition: 0 }).catch((e: unknown) => e);
    await p.close({ timeoutMs: 100 });
    expect(await unanswered).toBeInstanceOf(KafkaClosedError);
    expect(await waitingForMemory).toBeInstanceOf(KafkaClosedError);
    await expect(p.send({ topic: 'orders', value: 'z' })).rejects.toBeInstanceOf(KafkaClosedError);
  });

  it('aBatchTheBrokerFindsTooLargeIsSplitAndSentInOrder', async () => {
    const broker = await fakeBroker({ [Produce.apiKey]: produceHandler((batch) => (batch.recordCount > 2 ? ErrorCode.MESSAGE_TOO_LARGE : 0)) });
    const p = producer(broker, { idempotent: false, lingerMs: 20 });
    const results = await p.send(Array.from({ length: 5 }, (_, i) => ({ topic: 'orders', value: `v${i}`, partition: 0 })));
    expect(results.map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n, 4n]);
    const accepted = sentBatches(broker).filter((b) => b.recordCount <= 2);
    const values = (await Promise.all(accepted.map((b) => decodeRecordBatch(b.bytes)))).flatMap((b) => b.records.map((r) => r.value!.toString()));
    expect(values).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
  });

  it('batchesOfOnePartitionGoOnTheWireInSendOrderWhateverTheirCompressionTime', async () => {
    const broker = await fakeBroker({ [Produce.apiKey]: produceHandler() });
    const p = producer(broker, { idempotent: false, compression: 'gzip' });
    // The first batch takes gzip far longer than the second; built concurrently, it must still be sent first.
    const big = randomBytes(600_000).toString('base64');
    const sends = [p.send({ topic: 'orders', value: big, partition: 0 }), p.send({ topic: 'orders', value: 'small', partition: 0 })];
    expect((await Promise.all(sends)).map((r) => r.offset)).toEqual([0n, 1n]);
    const values = (await Promise.all(sentBatches(broker).map((b) => decodeRecordBatch(b.bytes)))).flatMap((b) => b.records.map((r) => r.value!.length));
    expect(values).toEqual([big.length, 'small'.length]);
  });

  it('aSingleRecordTheBrokerFindsTooLargeFails', async () => {
    const broker = await fakeBroker({ [Produce.apiKey]: produceHandler(() => ErrorCode.MESSAGE_TOO_LARGE) });
    const p = producer(broker, { idempotent: false, lingerMs: 20 });
    const results = await p
      .send([
        { topic: 'orders', value: 'a', partition: 0 },
        { topic: 'orders', value: 'b', partition: 0 },
      ])
      .catch((e: unknown) => e);
    expect(results).toMatchObject({ errorName: 'MESSAGE_TOO_LARGE', topic: 'orders', partition: 0 });
    await p.flush();
    expect(
      sentBatches(broker).map((b) => b.recordCount),
      'each half is tried alone',
    ).toEqual([2, 1, 1]);
  });

  it('unkeyedRecordsStickToAPartitionUntilItsBatchFills', async () => {
    const broker = await fakeBroker({ [Produce.apiKey]: produceHandler() });
    // 60-byte records, 3 to a 200-byte batch: the sticky partitioner moves to the other partition as each batch fills.
    const p = producer(broker, { idempotent: false, batchSize: 200, lingerMs: 1_000 });
    const results = await p.send(Array.from({ length: 30 }, (_, i) => ({ topic: 'orders', value: `${i}`.padStart(50, '-') })));
    const runs: number[][] = [];
    for (const { partition } of results) {
      if (runs.at(-1)?.[0] === partition) runs.at(-1)!.push(partition);
      else runs.push([partition]);
    }
    expect(runs.map((run) => run.length)).toEqual(Array.from({ length: 10 }, () => 3));
    expect(new Set(results.map((r) => r.partition))).toEqual(new Set([0, 1]));
  });
});
