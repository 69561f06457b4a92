// A transactional producer's whole round through the broker's handlers, on
// two brokers paired as the node pairs them: broker 1 coordinates the
// transactional id (__transaction_state) and the group (__consumer_offsets),
// broker 2 leads the data partition. EndTxn's markers reach broker 2 over
// the peer channel and broker 1's __consumer_offsets through its own
// ReplicaManager; read_committed consumers and requireStable offset fetches
// see the outcome.
import { describe, expect, it } from 'vitest';
import { GROUP_METADATA_TOPIC, TRANSACTION_STATE_TOPIC } from '@kstream/metadata';
import { ErrorCode, ZERO_UUID, type ApiSpec, type RequestOf, type ResponseOf } from '@kstream/protocol';
import { clusterRecords, overTheWire, pairBrokers, testBroker, type TestBroker } from '../partitions/broker-services.test-support.js';
import { batchBaseOffsets, producerBatch } from '../txn/txn-batches.test-support.js';
import { addOffsetsToTxnHandler } from './add-offsets-to-txn-handler.js';
import { addPartitionsToTxnHandler } from './add-partitions-to-txn-handler.js';
import { endTxnHandler } from './end-txn-handler.js';
import { fetchHandler } from './fetch-handler.js';
import { NO_RESPONSE, type ApiHandler } from './handler.js';
import { initProducerIdHandler } from './init-producer-id-handler.js';
import { offsetFetchHandler } from './offset-fetch-handler.js';
import { produceHandler } from './produce-handler.js';
import { txnOffsetCommitHandler } from './txn-offset-commit-handler.js';

const TXN_STATE = { name: TRANSACTION_STATE_TOPIC, topicId: '2b2b2b2b-0000-4000-8000-000000000001' };
const OFFSETS = { name: GROUP_METADATA_TOPIC, topicId: '2b2b2b2b-0000-4000-8000-000000000002' };
const ORDERS = { name: 'orders', topicId: '2b2b2b2b-0000-4000-8000-000000000003', leader: 2 };
const INPUT = { name: 'input', topicId: '2b2b2b2b-0000-4000-8000-000000000004' };
const TXN_ID = 'flow-tx';
const GROUP = 'flow-group';

async function call<A extends ApiSpec>(handler: ApiHandler<A>, broker: TestBroker, version: number, request: RequestOf<A>): Promise<ResponseOf<A>> {
  const answer = await handler.handle(request, broker.context(handler.api, version));
  if (answer === NO_RESPONSE) throw new Error(`${handler.api.name} must be answered`);
  return overTheWire(handler.api, version, answer);
}

interface Producer {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

/** The two brokers, paired, and a producer of TXN_ID initialised at its coordinator (once that has loaded). */
async function transactionalProducer(): Promise<{ coordinator: TestBroker; leader: TestBroker; producer: Producer }> {
  const records = clusterRecords(TXN_STATE, OFFSETS, ORDERS, INPUT);
  const coordinator = await testBroker(records, {}, { brokerId: 1 });
  const leader = await testBroker(records, {}, { brokerId: 2 });
  pairBrokers(coordinator, leader);
  const init = () => call(initProducerIdHandler, coordinator, 4, { transactionalId: TXN_ID, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
  await expect.poll(async () => (await init()).errorCode, { timeout: 5_000 }).toBe(ErrorCode.NONE);
  const { producerId, producerEpoch } = await init();
  return { coordinator, leader, producer: { producerId, producerEpoch } };
}

/** AddPartitionsToTxn orders-0, a transactional batch to broker 2, then the group's offsets in the transaction. */
async function writeInTransaction(coordinator: TestBroker, leader: TestBroker, producer: Producer): Promise<void> {
  const added = await call(addPartitionsToTxnHandler, coordinator, 3, {
    transactions: [],
    v3AndBelowTransactionalId: TXN_ID,
    v3AndBelowProducerId: producer.producerId,
    v3AndBelowProducerEpoch: producer.producerEpoch,
    v3AndBelowTopics: [{ name: ORDERS.name, partitions: [0] }],
  });
  expect(added.resultsByTopicV3AndBelow).toEqual([{ name: ORDERS.name, resultsByPartition: [{ partitionIndex: 0, partitionErrorCode: ErrorCode.NONE }] }]);
  const records = await producerBatch(['o1', 'o2'], { ...producer, baseSequence: 0, transactional: true });
  const produced = await call(produceHandler, leader, 9, {
    transactionalId: TXN_ID,
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: ORDERS.name, partitionData: [{ index: 0, records }] }],
  });
  expect(produced.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
  const transactionalOffsets = { transactionalId: TXN_ID, producerId: producer.producerId, producerEpoch: producer.producerEpoch };
  expect(await call(addOffsetsToTxnHandler, coordinator, 3, { ...transactionalOffsets, groupId: GROUP })).toMatchObject({ errorCode: ErrorCode.NONE });
  const committed = await call(txnOffsetCommitHandler, coordinator, 3, {
    ...transactionalOffsets,
    groupId: GROUP,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [{ name: INPUT.name, partitions: [{ partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: -1, committedMetadata: null }] }],
  });
  expect(committed.topics).toEqual([{ name: INPUT.name, partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE }] }]);
}

async function readCommitted(leader: TestBroker) {
  const response = await call(fetchHandler, leader, 11, {
    clusterId: null,
    replicaId: -1,
    replicaState: { replicaId: -1, replicaEpoch: -1n },
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: ORDERS.name,
        topicId: ZERO_UUID,
        partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  });
  return response.responses[0]!.partitions[0]!;
}

async function stableOffset(coordinator: TestBroker) {
  const response = await call(offsetFetchHandler, coordinator, 7, { groupId: GROUP, topics: [{ name: INPUT.name, partitionIndexes: [0] }], groups: [], requireStable: true });
  return response.topics[0]!.partitions[0]!;
}

describe('a transaction through the handlers', () => {
  it("commitReachesEveryPartition: the data becomes readable under read_committed and the offsets committed, once EndTxn's markers land", async () => {
    const { coordinator, leader, producer } = await transactionalProducer();
    await writeInTransaction(coordinator, leader, producer);
    expect(await readCommitted(leader)).toMatchObject({ lastStableOffset: 0n, highWatermark: 2n });
    expect((await stableOffset(coordinator)).errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT);

    const ended = await call(endTxnHandler, coordinator, 3, { transactionalId: TXN_ID, ...producer, committed: true });
    expect(ended.errorCode).toBe(ErrorCode.NONE);
    await expect.poll(async () => (await readCommitted(leader)).lastStableOffset, { timeout: 5_000 }).toBe(3n);
    const read = await readCommitted(leader);
    expect(batchBaseOffsets(read.records!)).toEqual([0n, 2n]);
    expect(read.abortedTransactions).toEqual([]);
    await expect.poll(async () => await stableOffset(coordinator), { timeout: 5_000 }).toMatchObject({ errorCode: ErrorCode.NONE, committedOffset: 42n });
  });

  it('abortListsTheTransaction: read_committed gets the aborted transaction to drop, and the offsets are never committed', async () => {
    const { coordinator, leader, producer } = await transactionalProducer();
    await writeInTransaction(coordinator, leader, producer);
    const ended = await call(endTxnHandler, coordinator, 3, { transactionalId: TXN_ID, ...producer, committed: false });
    expect(ended.errorCode).toBe(ErrorCode.NONE);
    await expect.poll(async () => (await readCommitted(leader)).lastStableOffset, { timeout: 5_000 }).toBe(3n);
    expect((await readCommitted(leader)).abortedTransactions).toEqual([{ producerId: producer.producerId, firstOffset: 0n }]);
    await expect.poll(async () => await stableOffset(coordinator), { timeout: 5_000 }).toMatchObject({ errorCode: ErrorCode.NONE, committedOffset: -1n });
  });
});
