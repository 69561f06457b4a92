import { AddOffsetsToTxn, decodeRecordBatches, EndTxn, ErrorCode, InitProducerId, TxnOffsetCommit } from '@kstream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { sentBatches } from '../producer/producer-fake.test-support.js';
import { addedPartitions, txnBroker, type EndTxnRequest, type TxnOffsetCommitRequest } from '../producer/transaction-fake.test-support.js';
import type { FakeBroker } from '../testing/fake-broker.test-support.js';
import { logLevel } from './constants.js';
import { KafkaJSNonRetriableError, KafkaJSProtocolError } from './errors.js';
import { Kafka } from './kafka.js';
import type { Producer, ProducerConfig } from './types-producer.js';

const producers: Producer[] = [];

afterEach(async () => {
  await Promise.allSettled(producers.splice(0).map((p) => p.disconnect()));
});

async function connected(broker: FakeBroker, config: ProducerConfig = {}): Promise<Producer> {
  const kafka = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING, retry: { initialRetryTime: 10, maxRetryTime: 20 } });
  const producer = kafka.producer({ transactionalId: 'tx-1', maxInFlightRequests: 1, idempotent: true, ...config });
  producers.push(producer);
  await producer.connect();
  return producer;
}

describe('kafkajs producer.transaction()', () => {
  it('sendsSendOffsetsAndCommitsAsKafkajsDoes; the ended transaction refuses further calls', async () => {
    const broker = await txnBroker();
    const producer = await connected(broker, { transactionTimeout: 30_000 });
    const txn = await producer.transaction();
    expect(txn.isActive()).toBe(true);
    await expect(producer.transaction()).rejects.toThrow('There is already an ongoing transaction for this producer. Please end the transaction before beginning another.');
    const metadata = await txn.send({
      topic: 'orders',
      messages: [
        { value: 'a', partition: 0 },
        { value: 'b', partition: 1 },
      ],
    });
    expect(metadata.map((m) => [m.topicName, m.partition, m.baseOffset])).toEqual([
      ['orders', 0, '0'],
      ['orders', 1, '0'],
    ]);
    await txn.sendBatch({ topicMessages: [{ topic: 'orders', messages: [{ value: 'c', partition: 0 }] }] });
    await txn.sendOffsets({ consumerGroupId: 'g1', topics: [{ topic: 'in', partitions: [{ partition: 2, offset: '17' }] }] });
    await txn.commit();
    expect(txn.isActive()).toBe(false);
    await expect(txn.send({ topic: 'orders', messages: [{ value: 'late' }] })).rejects.toThrow('Cannot continue to use transaction once ended');
    await expect(txn.commit()).rejects.toBeInstanceOf(KafkaJSNonRetriableError);

    expect(broker.requestsOf(InitProducerId.apiKey).find((r) => r.body.transactionalId === 'tx-1')!.body.transactionTimeoutMs).toBe(30_000);
    expect(addedPartitions(broker).flat().sort()).toEqual(['orders-0', 'orders-1']);
    expect(broker.requestsOf(AddOffsetsToTxn.apiKey)[0]!.body).toMatchObject({ groupId: 'g1' });
    const offsets = broker.requestsOf(TxnOffsetCommit.apiKey)[0]!.body as TxnOffsetCommitRequest;
    expect(offsets).toMatchObject({ groupId: 'g1', generationId: -1, memberId: '', topics: [{ name: 'in', partitions: [{ partitionIndex: 2, committedOffset: 17n }] }] });
    expect(broker.requestsOf(EndTxn.apiKey).map((r) => (r.body as EndTxnRequest).committed)).toEqual([true]);
  });

  it('plainSendsOfATransactionalProducerStayOutsideTheTransaction, as in kafkajs', async () => {
    const broker = await txnBroker();
    const producer = await connected(broker);
    await producer.send({ topic: 'orders', messages: [{ value: 'plain', partition: 0 }] });
    const txn = await producer.transaction();
    await txn.send({ topic: 'orders', messages: [{ value: 'in txn', partition: 0 }] });
    await txn.abort();
    const [plain, transactional] = sentBatches(broker);
    expect(plain!.producerId === transactional!.producerId && plain!.producerEpoch === transactional!.producerEpoch, 'two producers, two identities').toBe(false);
    expect(
      broker
        .requestsOf(InitProducerId.apiKey)
        .map((r) => r.body.transactionalId)
        .sort(),
    ).toEqual([null, 'tx-1']);
    expect(broker.requestsOf(EndTxn.apiKey).map((r) => (r.body as EndTxnRequest).committed)).toEqual([false]);
  });

  it('fencingIsKafkajsProtocolErrorProducerFencedNotRetriable; acks other than -1 are refused', async () => {
    const broker = await txnBroker({ produce: () => ErrorCode.PRODUCER_FENCED });
    const producer = await connected(broker);
    const txn = await producer.transaction();
    await expect(txn.send({ topic: 'orders', acks: 1, messages: [{ value: 'v' }] })).rejects.toThrow(/invalidates the idempotent producer/);
    const error = await txn.send({ topic: 'orders', messages: [{ value: 'zombie', partition: 0 }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaJSProtocolError);
    expect(error).toMatchObject({ type: 'PRODUCER_FENCED', code: 90, retriable: false });
    const again = await producer.transaction().catch((e: unknown) => e);
    expect(again).toMatchObject({ type: 'PRODUCER_FENCED', retriable: false });
  });

  it('invalidProducerEpochIsKafkajsNonRetriableToo', async () => {
    const broker = await txnBroker({ endTxn: () => ErrorCode.INVALID_PRODUCER_EPOCH });
    const producer = await connected(broker);
    const txn = await producer.transaction();
    await txn.send({ topic: 'orders', messages: [{ value: 'v', partition: 0 }] });
    await expect(txn.commit()).rejects.toMatchObject({ name: 'KafkaJSProtocolError', type: 'INVALID_PRODUCER_EPOCH', code: 47, retriable: false });
  });

  it('unkeyedRecordsRetriedAfterConcurrentTransactionsAreWrittenOnceWhereTheirMetadataSays, not re-partitioned as kafkajs#1315', async () => {
    // The coordinator is still writing the previous transaction's markers: every partition is refused twice.
    const broker = await txnBroker({ addPartitions: (_topic, _partition, attempt) => (attempt < 2 ? ErrorCode.CONCURRENT_TRANSACTIONS : 0) });
    const producer = await connected(broker);
    const txn = await producer.transaction();
    const values = Array.from({ length: 12 }, (_, i) => `v${i}`);
    const metadata = await txn.sendBatch({ topicMessages: [{ topic: 'orders', messages: values.map((value) => ({ value })) }] });
    await txn.commit();
    expect(addedPartitions(broker).length, 'AddPartitionsToTxn retried after CONCURRENT_TRANSACTIONS').toBeGreaterThanOrEqual(3);

    const written: { value: string; partition: number }[] = [];
    for (const batch of sentBatches(broker)) {
      for (const decoded of await decodeRecordBatches(batch.bytes)) {
        for (const record of decoded.records) written.push({ value: record.value!.toString(), partition: batch.partition });
      }
    }
    expect(written.map((w) => w.value).sort(), 'each record once: none twice, none lost').toEqual([...values].sort());
    const perPartition = new Map<number, number>();
    for (const { partition } of written) perPartition.set(partition, (perPartition.get(partition) ?? 0) + 1);
    expect(metadata.map((m) => [m.partition, Number(m.baseOffset)]).sort(), 'each partition reported once, from offset 0: the records it holds are the ones sent there').toEqual(
      [...perPartition.keys()].map((partition) => [partition, 0]).sort(),
    );
  });
});
