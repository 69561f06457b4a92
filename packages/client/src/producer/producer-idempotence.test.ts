import { decodeRecordBatch, ErrorCode, InitProducerId, Produce, readBatchHeader, type RequestOf, type ResponseOf } from '@kstream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaProtocolError, KafkaRetriesExhaustedError } from '../errors/index.js';
import { stringSerde } from '../serde/index.js';
import { FakeBroker, type FakeApiRange, type FakeHandler } from '../testing/fake-broker.test-support.js';
import { nextSequence } from './producer-idempotence.js';
import { Producer } from './producer.js';
import type { ProducerOptions } from './producer-options.js';

type ProduceRequest = RequestOf<typeof Produce>;
type ProduceResponse = ResponseOf<typeof Produce>;

/** A batch as the fake broker saw it on the wire. */
interface WireBatch {
  topic: string;
  partition: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  bytes: Buffer;
}

function wireBatches(request: ProduceRequest): WireBatch[] {
  return request.topicData.flatMap((t) =>
    t.partitionData.map((p) => {
      const header = readBatchHeader(p.records!)!;
      return { topic: t.name, partition: p.index, ...header, bytes: p.records! };
    }),
  );
}

/** Answers every partition of a Produce request with `errorFor`'s code (0: appended at the partition's next offset). */
function produceHandler(errorFor: (batch: WireBatch, attempt: number) => number = () => 0): FakeHandler {
  const nextOffset = new Map<string, bigint>();
  const attempts = new Map<string, number>();
  return (body: ProduceRequest): ProduceResponse => ({
    responses: body.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => {
        const batch = { topic: t.name, partition: p.index, ...readBatchHeader(p.records!)!, bytes: p.records! };
        const id = `${t.name}-${p.index}:${batch.baseSequence}`;
        const attempt = attempts.get(id) ?? 0;
        attempts.set(id, attempt + 1);
        const errorCode = errorFor(batch, attempt);
        const key = `${t.name}-${p.index}`;
        const baseOffset = nextOffset.get(key) ?? 0n;
        if (errorCode === 0) nextOffset.set(key, baseOffset + BigInt(batch.recordCount));
        return {
          index: p.index,
          errorCode,
          baseOffset: errorCode === 0 ? baseOffset : -1n,
          logAppendTimeMs: -1n,
          logStartOffset: 0n,
          recordErrors: [],
          errorMessage: null,
          currentLeader: { leaderId: -1, leaderEpoch: -1 },
        };
      }),
    })),
    throttleTimeMs: 0,
    nodeEndpoints: [],
  });
}

function initProducerIdHandler(producerId = 42n, firstEpoch = 3): FakeHandler {
  let epoch = firstEpoch;
  return (): ResponseOf<typeof InitProducerId> => ({ throttleTimeMs: 0, errorCode: 0, producerId, producerEpoch: epoch++ });
}

const brokers: FakeBroker[] = [];
const producers: Producer<string, string>[] = [];

afterEach(async () => {
  await Promise.allSettled(producers.splice(0).map((p) => p.close({ timeoutMs: 1_000 })));
  await Promise.allSettled(brokers.splice(0).map((b) => b.close()));
});

async function fakeBroker(handlers: Record<number, FakeHandler>, apiVersions?: readonly FakeApiRange[]): Promise<FakeBroker> {
  const broker = await FakeBroker.start({ handlers, topics: { orders: 2 }, ...(apiVersions === undefined ? {} : { apiVersions }) });
  brokers.push(broker);
  return broker;
}

function producer(broker: FakeBroker, options: Partial<ProducerOptions<string, string>> = {}): Producer<string, string> {
  const p = new Producer<string, string>({
    bootstrap: broker.address,
    keySerializer: stringSerde,
    valueSerializer: stringSerde,
    lingerMs: 0,
    retryBackoffMs: 10,
    retryBackoffMaxMs: 20,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    ...options,
  });
  producers.push(p);
  return p;
}

const sentBatches = (broker: FakeBroker): WireBatch[] => broker.requestsOf(Produce.apiKey).flatMap((r) => wireBatches(r.body as ProduceRequest));

describe('idempotent producer', () => {
  it('stampsProducerIdEpochAndContiguousSequencesPerPartition', async () => {
    const broker = await fakeBroker({ [InitProducerId.apiKey]: initProducerIdHandler(), [Produce.apiKey]: produceHandler() });
    const p = producer(broker, { batchSize: 200 });
    await p.connect();
    expect(p.idempotent).toBe(true);
    const results = await p.send(Array.from({ length: 40 }, (_, i) => ({ topic: 'orders', value: `value-${i}`, partition: i % 2 })));
    expect(results.filter((r) => r.partition === 0).map((r) => r.offset)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i)));
    const batches = sentBatches(broker);
    expect(batches.length, 'batch.size splits the records into several batches per partition').toBeGreaterThan(2);
    for (const partition of [0, 1]) {
      const mine = batches.filter((b) => b.partition === partition);
      expect(mine.every((b) => b.producerId === 42n && b.producerEpoch === 3)).toBe(true);
      let expected = 0;
      for (const batch of mine) {
        expect(batch.baseSequence, `partition ${partition}`).toBe(expected);
        expected += batch.recordCount;
      }
      expect(expected).toBe(20);
    }
    const init = broker.requestsOf(InitProducerId.apiKey);
    expect(init).toHaveLength(1);
    expect(init[0]!.body).toMatchObject({ transactionalId: null, producerId: -1n, producerEpoch: -1 });
    const produce = broker.requestsOf(Produce.apiKey)[0]!.body as ProduceRequest;
    expect(produce.acks).toBe(-1);
  });

  it('aRetriedBatchCarriesTheSameSequenceAndBytes', async () => {
    const broker = await fakeBroker({
      [InitProducerId.apiKey]: initProducerIdHandler(),
      [Produce.apiKey]: produceHandler((_batch, attempt) => (attempt === 0 ? ErrorCode.NOT_LEADER_OR_FOLLOWER : 0)),
    });
    const p = producer(broker);
    await expect(p.send({ topic: 'orders', value: 'retried', partition: 1 })).resolves.toMatchObject({ partition: 1, offset: 0n });
    const batches = sentBatches(broker);
    expect(batches).toHaveLength(2);
    expect(batches[1]!.baseSequence).toBe(batches[0]!.baseSequence);
    expect(batches[1]!.bytes.equals(batches[0]!.bytes), 'the retry resends the batch as built').toBe(true);
  });

  it('aBatchSentAgainAfterAConnectionLossKeepsItsSequence', async () => {
    let produces = 0;
    const answer = produceHandler();
    const broker = await fakeBroker({
      [InitProducerId.apiKey]: initProducerIdHandler(),
      [Produce.apiKey]: (body, version, header, socket) => {
        // The second Produce is lost with its connection: the broker may or may not have appended it.
        if (++produces === 2) {
          socket.destroy();
          return undefined;
        }
        return answer(body, version, header, socket);
      },
    });
    const p = producer(broker);
    await p.send({ topic: 'orders', value: 'first', partition: 0 });
    await expect(p.send({ topic: 'orders', value: 'second', partition: 0 })).resolves.toMatchObject({ offset: 1n });
    expect(sentBatches(broker).map((b) => b.baseSequence)).toEqual([0, 1, 1]);
  });

  it('duplicateSequenceNumberCompletesTheBatch', async () => {
    const broker = await fakeBroker({
      [InitProducerId.apiKey]: initProducerIdHandler(),
      [Produce.apiKey]: produceHandler(() => ErrorCode.DUPLICATE_SEQUENCE_NUMBER),
    });
    await expect(producer(broker).send({ topic: 'orders', value: 'already there', partition: 0 })).resolves.toMatchObject({ partition: 0 });
  });

  it('unknownProducerIdBumpsTheEpochAndRestartsTheSequence', async () => {
    const broker = await fakeBroker({
      [InitProducerId.apiKey]: initProducerIdHandler(),
      [Produce.apiKey]: produceHandler((batch) => (batch.producerEpoch === 3 && batch.baseSequence === 2 ? ErrorCode.UNKNOWN_PRODUCER_ID : 0)),
    });
    const p = producer(broker);
    await p.send([
      { topic: 'orders', value: 'a', partition: 0 },
      { topic: 'orders', value: 'b', partition: 0 },
    ]);
    await expect(p.send({ topic: 'orders', value: 'c', partition: 0 })).resolves.toMatchObject({ offset: 2n });
    const init = broker.requestsOf(InitProducerId.apiKey);
    expect(init).toHaveLength(2);
    expect(init[1]!.body, 'v3+: the bump names the current id and epoch').toMatchObject({ producerId: 42n, producerEpoch: 3 });
    expect(sentBatches(broker).map((b) => [b.producerEpoch, b.baseSequence])).toEqual([
      [3, 0],
      [3, 2],
      [4, 0],
    ]);
  });

  it('anOutOfOrderSequenceWithNothingBeforeItFailsTheBatchAndBumpsTheEpoch', async () => {
    const broker = await fakeBroker({
      [InitProducerId.apiKey]: initProducerIdHandler(),
      [Produce.apiKey]: produceHandler((batch) => (batch.producerEpoch === 3 ? ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER : 0)),
    });
    const p = producer(broker);
    const error = await p.send({ topic: 'orders', value: 'lost', partition: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaProtocolError);
    expect(error).toMatchObject({ errorName: 'OUT_OF_ORDER_SEQUENCE_NUMBER', topic: 'orders', partition: 1 });
    await expect(p.send({ topic: 'orders', value: 'next', partition: 1 })).resolves.toMatchObject({ offset: 0n });
    expect(sentBatches(broker).at(-1)).toMatchObject({ producerEpoch: 4, baseSequence: 0 });
  });

  it('withoutInitProducerIdTheProducerWarnsOnceAndRunsWithoutIdempotence', async () => {
    const ranges: FakeApiRange[] = [];
    const probe = await FakeBroker.start();
    for (const range of probe.apiVersions) if (range.apiKey !== InitProducerId.apiKey) ranges.push(range);
    await probe.close();
    const broker = await fakeBroker({ [Produce.apiKey]: produceHandler() }, ranges);
    const warnings: string[] = [];
    const p = producer(broker, { logger: { debug() {}, info() {}, error() {}, warn: (message) => warnings.push(message) } });
    await p.send({ topic: 'orders', value: 'a', partition: 0 });
    await p.send({ topic: 'orders', value: 'b', partition: 0 });
    expect(p.idempotent).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('InitProducerId');
    expect(sentBatches(broker).every((b) => b.producerId === -1n && b.baseSequence === -1)).toBe(true);
  });

  it('sequencesWrapToZeroAfterInt32Max', () => {
    expect(nextSequence(2 ** 31 - 2, 1)).toBe(2 ** 31 - 1);
    expect(nextSequence(2 ** 31 - 2, 5)).toBe(3);
    expect(nextSequence(0, 5)).toBe(5);
  });
});

describe('producer errors and requests', () => {
  it('aNonRetriableErrorFailsTheSendNamingTopicPartitionAndBroker', async () => {
    const broker = await fakeBroker({ [Produce.apiKey]: produceHandler(() => ErrorCode.MESSAGE_TOO_LARGE) });
    const error = await producer(broker, { idempotent: false }).send({ topic: 'orders', value: 'big', partition: 1 }).catch((e: unknown) => e);
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
});
