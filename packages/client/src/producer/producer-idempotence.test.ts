import { ErrorCode, InitProducerId, Produce } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { KafkaProtocolError } from '../errors/index.js';
import { FakeBroker, type FakeApiRange } from '../testing/fake-broker.test-support.js';
import { fakeBroker, initProducerIdHandler, producer, produceHandler, sentBatches, type ProduceRequest } from './producer-fake.test-support.js';
import { nextSequence } from './producer-sequence.js';

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
