// KIP-890 part 1 through the handlers, on two brokers paired as the node
// pairs them: broker 1 coordinates the transactional id, broker 2 leads the
// data partition and verifies a transactional produce with broker 1 over the
// peer channel (orders-0); broker 1 leads local-0 and asks its own
// coordinator. A late produce after EndTxn(abort) must not open a
// transaction no marker ends.
import { describe, expect, it } from 'vitest';
import { GROUP_METADATA_TOPIC, TRANSACTION_STATE_TOPIC } from '@kstream/metadata';
import { ErrorCode, ZERO_UUID, type ApiSpec, type RequestOf, type ResponseOf } from '@kstream/protocol';
import { clusterRecords, overTheWire, pairBrokers, testBroker, type TestBroker } from '../partitions/broker-services.test-support.js';
import { producerBatch } from '../txn/txn-batches.test-support.js';
import { addPartitionsToTxnHandler } from './add-partitions-to-txn-handler.js';
import { endTxnHandler } from './end-txn-handler.js';
import { fetchHandler } from './fetch-handler.js';
import { NO_RESPONSE, type ApiHandler } from './handler.js';
import { initProducerIdHandler } from './init-producer-id-handler.js';
import { produceHandler } from './produce-handler.js';

const TXN_STATE = { name: TRANSACTION_STATE_TOPIC, topicId: '2c2c2c2c-0000-4000-8000-000000000001' };
const OFFSETS = { name: GROUP_METADATA_TOPIC, topicId: '2c2c2c2c-0000-4000-8000-000000000002' };
const ORDERS = { name: 'orders', topicId: '2c2c2c2c-0000-4000-8000-000000000003', leader: 2 };
const LOCAL = { name: 'local', topicId: '2c2c2c2c-0000-4000-8000-000000000004' };
const TXN_ID = 'verify-tx';

async function call<A extends ApiSpec>(handler: ApiHandler<A>, broker: TestBroker, version: number, request: RequestOf<A>): Promise<ResponseOf<A>> {
  const answer = await handler.handle(request, broker.context(handler.api, version));
  if (answer === NO_RESPONSE) throw new Error(`${handler.api.name} must be answered`);
  return overTheWire(handler.api, version, answer);
}

interface Producer {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

async function cluster(config: Record<string, string> = {}): Promise<{ coordinator: TestBroker; leader: TestBroker; producer: Producer }> {
  const records = clusterRecords(TXN_STATE, OFFSETS, ORDERS, LOCAL);
  const coordinator = await testBroker(records, config, { brokerId: 1 });
  const leader = await testBroker(records, config, { brokerId: 2 });
  pairBrokers(coordinator, leader);
  const init = () => call(initProducerIdHandler, coordinator, 4, { transactionalId: TXN_ID, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
  await expect.poll(async () => (await init()).errorCode, { timeout: 5_000 }).toBe(ErrorCode.NONE);
  const { producerId, producerEpoch } = await init();
  return { coordinator, leader, producer: { producerId, producerEpoch } };
}

async function addPartition(coordinator: TestBroker, producer: Producer, topic: string): Promise<void> {
  const added = await call(addPartitionsToTxnHandler, coordinator, 3, {
    transactions: [],
    v3AndBelowTransactionalId: TXN_ID,
    v3AndBelowProducerId: producer.producerId,
    v3AndBelowProducerEpoch: producer.producerEpoch,
    v3AndBelowTopics: [{ name: topic, partitions: [0] }],
  });
  expect(added.resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode).toBe(ErrorCode.NONE);
}

async function produce(broker: TestBroker, topic: string, producer: Producer, baseSequence: number) {
  const records = await producerBatch(['v1', 'v2'], { ...producer, baseSequence, transactional: true });
  const produced = await call(produceHandler, broker, 9, {
    transactionalId: TXN_ID,
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  return produced.responses[0]!.partitionResponses[0]!;
}

async function readCommitted(broker: TestBroker, topic: string) {
  const response = await call(fetchHandler, broker, 11, {
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
      { topic, topicId: ZERO_UUID, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] },
    ],
    forgottenTopicsData: [],
    rackId: '',
  });
  return response.responses[0]!.partitions[0]!;
}

async function abort(coordinator: TestBroker, leader: TestBroker, producer: Producer, topic: string): Promise<void> {
  expect((await call(endTxnHandler, coordinator, 3, { transactionalId: TXN_ID, ...producer, committed: false })).errorCode).toBe(ErrorCode.NONE);
  const broker = topic === ORDERS.name ? leader : coordinator;
  await expect.poll(async () => (await readCommitted(broker, topic)).lastStableOffset, { timeout: 5_000 }).toBe(3n);
}

describe('Produce verifies transactional batches with the coordinator (KIP-890)', () => {
  it('lateProduceAfterAbortRefusedOverThePeer: INVALID_TXN_STATE, nothing written, the last stable offset stays at the high watermark', async () => {
    const { coordinator, leader, producer } = await cluster();
    await addPartition(coordinator, producer, ORDERS.name);
    expect(await produce(leader, ORDERS.name, producer, 0)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    await abort(coordinator, leader, producer, ORDERS.name);
    const late = await produce(leader, ORDERS.name, producer, 2);
    expect(late.errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(late.errorMessage).toContain('orders-0');
    const read = await readCommitted(leader, ORDERS.name);
    expect(read).toMatchObject({ highWatermark: 3n, lastStableOffset: 3n });
  });

  it('partitionNeverAddedRefusedByTheLocalCoordinator: the leader of the partition is also the coordinator', async () => {
    const { coordinator, producer } = await cluster();
    const refused = await produce(coordinator, LOCAL.name, producer, 0);
    expect(refused.errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(await readCommitted(coordinator, LOCAL.name)).toMatchObject({ highWatermark: 0n, lastStableOffset: 0n });
    await addPartition(coordinator, producer, LOCAL.name);
    expect(await produce(coordinator, LOCAL.name, producer, 0)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    // Continuing the open transaction needs no verification; the transaction holds the stable offset until its marker.
    expect(await produce(coordinator, LOCAL.name, producer, 2)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2n });
    expect(await readCommitted(coordinator, LOCAL.name)).toMatchObject({ highWatermark: 4n, lastStableOffset: 0n });
  });

  it('fencedEpochIsInvalidProducerEpoch: a producer an InitProducerId bumped past is refused before its batch opens anything', async () => {
    const { coordinator, leader, producer } = await cluster();
    await addPartition(coordinator, producer, ORDERS.name);
    // The open transaction is aborted with a bumped epoch: CONCURRENT_TRANSACTIONS until that completes.
    const init = () => call(initProducerIdHandler, coordinator, 4, { transactionalId: TXN_ID, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
    await expect.poll(async () => (await init()).errorCode, { timeout: 5_000 }).toBe(ErrorCode.NONE);
    // The bump's abort marker reached orders-0 (offset 0).
    await expect.poll(async () => (await readCommitted(leader, ORDERS.name)).lastStableOffset, { timeout: 5_000 }).toBe(1n);
    expect((await produce(leader, ORDERS.name, producer, 0)).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(await readCommitted(leader, ORDERS.name)).toMatchObject({ highWatermark: 1n, lastStableOffset: 1n });
  });

  it('markerDuringVerificationVoidsTheGuard: an abort marker written while the coordinator answers makes the verified batch INVALID_TXN_STATE', async () => {
    const { coordinator, leader, producer } = await cluster();
    await addPartition(coordinator, producer, ORDERS.name);
    const partition = await leader.services.partitions.leaderPartition(ORDERS.name, 0);
    const log = partition.log;
    // The abort's marker lands between the guard being taken and the append, while the coordinator still says the partition is in the transaction.
    const takeGuard = log.verificationGuard.bind(log);
    let markerWritten: Promise<unknown> | undefined;
    log.verificationGuard = (producerId) => {
      const guard = takeGuard(producerId);
      markerWritten = partition.appendTxnMarkerToLeader({ producerId, producerEpoch: producer.producerEpoch, coordinatorEpoch: 0, commit: false });
      return guard;
    };
    const late = await produce(leader, ORDERS.name, producer, 0);
    await markerWritten;
    expect(late.errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    const read = await readCommitted(leader, ORDERS.name);
    expect(read.lastStableOffset).toBe(read.highWatermark);
  });

  it('coordinatorUnavailableIsRetriableNotEnoughReplicas: the producer retries rather than abort, and nothing is written', async () => {
    const { coordinator, leader, producer } = await cluster();
    await addPartition(coordinator, producer, ORDERS.name);
    coordinator.services.transactions.close();
    const refused = await produce(leader, ORDERS.name, producer, 0);
    expect(refused.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(refused.errorMessage).toContain(TXN_ID);
    expect(await readCommitted(leader, ORDERS.name)).toMatchObject({ highWatermark: 0n, lastStableOffset: 0n });
  });

  it('verificationOffKeepsOldBehaviour: with transaction.partition.verification.enable=false a batch of a partition never added opens a transaction', async () => {
    const { leader, producer } = await cluster({ 'transaction.partition.verification.enable': 'false' });
    expect(await produce(leader, ORDERS.name, producer, 0)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(await readCommitted(leader, ORDERS.name)).toMatchObject({ highWatermark: 2n, lastStableOffset: 0n });
  });
});
