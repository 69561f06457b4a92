import { AddOffsetsToTxn, EndTxn, ErrorCode, FindCoordinator, InitProducerId, Produce, readAttributes, readBatchHeader } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { KafkaConfigError, KafkaProtocolError, KafkaTimeoutError } from '../errors/index.js';
import { Producer } from './producer.js';
import { sentBatches, type ProduceRequest } from './producer-fake.test-support.js';
import { KafkaProducerFencedError, KafkaTransactionAbortedError, KafkaTransactionStateError } from './transaction-errors.js';
import {
  addedPartitions,
  delayAnswers,
  replaceHandler,
  requestOrder,
  txnBroker,
  txnProducer,
  type EndTxnRequest,
  type TxnOffsetCommitRequest,
} from './transaction-fake.test-support.js';

const endTxns = (broker: Awaited<ReturnType<typeof txnBroker>>) => broker.requestsOf(EndTxn.apiKey).map((r) => (r.body as EndTxnRequest).committed);

describe('transactional producer', () => {
  it('initTransactionsAsksTheTransactionCoordinatorAndRetriesWhileItLoads', async () => {
    const broker = await txnBroker({
      findCoordinator: (_type, _key, attempt) => (attempt === 0 ? ErrorCode.COORDINATOR_NOT_AVAILABLE : 0),
    });
    let inits = 0;
    const answers = [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.CONCURRENT_TRANSACTIONS, 0];
    broker.requests.length = 0;
    const p = txnProducer(broker, { transactionTimeoutMs: 30_000 });
    replaceHandler(broker, InitProducerId.apiKey, () => () => ({
      throttleTimeMs: 0,
      errorCode: answers[inits++]!,
      producerId: 7n,
      producerEpoch: 0,
    }));
    const txn = await p.transaction();
    expect(txn.isActive()).toBe(true);
    const find = broker.requestsOf(FindCoordinator.apiKey).at(-1)!.body;
    expect(find.keyType, 'key type 1: a transactional id').toBe(1);
    expect(find.coordinatorKeys ?? [find.key]).toEqual(['tx-1']);
    const init = broker.requestsOf(InitProducerId.apiKey);
    expect(init).toHaveLength(3);
    expect(init[2]!.body).toMatchObject({ transactionalId: 'tx-1', transactionTimeoutMs: 30_000, producerId: -1n, producerEpoch: -1 });
    await txn.commit();
    expect(txn.isActive()).toBe(false);
    expect(endTxns(broker), 'nothing was added: the coordinator has no transaction to end').toEqual([]);
  });

  it('refusesSendsOutsideATransactionAndASecondTransactionWhileOneIsOpen', async () => {
    const broker = await txnBroker();
    const p = txnProducer(broker);
    await expect(p.send({ topic: 'orders', value: 'v' })).rejects.toThrow(/sends only within a transaction.*tx-1|tx-1.*sends only within a transaction/);
    const first = await p.transaction();
    await expect(p.transaction()).rejects.toBeInstanceOf(KafkaTransactionStateError);
    await first.abort();
    const second = await p.transaction();
    await expect(first.send({ topic: 'orders', value: 'late' }), 'an ended transaction takes nothing').rejects.toThrow(/has ended/);
    await second.commit();
    expect(broker.requestsOf(InitProducerId.apiKey), 'initTransactions runs once').toHaveLength(1);
  });

  it('aTransactionalIdNeedsIdempotence: idempotent false, acks 1 and a sixth in-flight request are refused by name', () => {
    const base = { bootstrap: '127.0.0.1:1', transactionalId: 'tx-1' };
    expect(() => new Producer({ ...base, idempotent: false })).toThrow(KafkaConfigError);
    expect(() => new Producer({ ...base, idempotent: false })).toThrow(/bad option idempotent.*transactionalId/);
    expect(() => new Producer({ ...base, acks: 1 })).toThrow(/bad option acks/);
    expect(() => new Producer({ ...base, maxInFlightRequestsPerConnection: 6 })).toThrow(/bad option maxInFlightRequestsPerConnection/);
    expect(() => new Producer({ ...base, transactionTimeoutMs: 0 })).toThrow(/bad option transactionTimeoutMs/);
    expect(() => new Producer({ ...base, transactionalId: '' })).toThrow(/bad option transactionalId/);
  });

  it('addPartitionsToTxnOncePerPartitionPerTransaction, before the partition’s first batch, and batches are transactional', async () => {
    const broker = await txnBroker();
    const p = txnProducer(broker, { batchSize: 60 });
    const txn = await p.transaction();
    await txn.send(Array.from({ length: 6 }, (_, i) => ({ topic: 'orders', value: `a-${i}`, partition: 0 })));
    await txn.send([
      { topic: 'orders', value: 'b', partition: 0 },
      { topic: 'orders', value: 'c', partition: 1 },
    ]);
    await txn.send({ topic: 'orders', value: 'd', partition: 1 });
    await txn.commit();
    expect(addedPartitions(broker)).toEqual([['orders-0'], ['orders-1']]);
    const order = requestOrder(broker);
    expect(order.indexOf('AddPartitionsToTxn')).toBeLessThan(order.indexOf('Produce'));
    expect(order.at(-1)).toBe('EndTxn');
    const batches = sentBatches(broker);
    expect(batches.length, 'batchSize splits partition 0 into several batches').toBeGreaterThan(3);
    for (const batch of batches) {
      expect(readAttributes(readBatchHeader(batch.bytes)!.attributes).isTransactional).toBe(true);
      expect(batch).toMatchObject({ producerId: 42n, producerEpoch: 3 });
    }
    for (const request of broker.requestsOf(Produce.apiKey)) expect((request.body as ProduceRequest).transactionalId).toBe('tx-1');

    const next = await p.transaction();
    await next.send([
      { topic: 'orders', value: 'e', partition: 1 },
      { topic: 'orders', value: 'f', partition: 0 },
    ]);
    await next.commit();
    expect(addedPartitions(broker).slice(2), 'a new transaction adds its partitions again, those of one sender run in one request').toEqual([['orders-1', 'orders-0']]);
    expect(endTxns(broker)).toEqual([true, true]);
  });

  it('theFirstBatchWaitsWhileTheCoordinatorAnswersConcurrentTransactions, retried quickly', async () => {
    const broker = await txnBroker({ addPartitions: (_t, _p, attempt) => (attempt < 3 ? ErrorCode.CONCURRENT_TRANSACTIONS : 0) });
    const p = txnProducer(broker, { retryBackoffMs: 500, retryBackoffMaxMs: 1000 });
    const txn = await p.transaction();
    const started = Date.now();
    await expect(txn.send({ topic: 'orders', value: 'v', partition: 0 })).resolves.toMatchObject({ offset: 0n });
    expect(Date.now() - started, '20 ms per retry, not retryBackoffMs (500)').toBeLessThan(500);
    expect(addedPartitions(broker)).toHaveLength(4);
    expect(requestOrder(broker).filter((name) => name !== 'FindCoordinator' && name !== 'InitProducerId')).toEqual([
      'AddPartitionsToTxn',
      'AddPartitionsToTxn',
      'AddPartitionsToTxn',
      'AddPartitionsToTxn',
      'Produce',
    ]);
    await txn.commit();
  });

  it('commitWaitsForEverySendToBeAcknowledgedBeforeEndTxn', async () => {
    const broker = delayAnswers(await txnBroker(), Produce.apiKey, 150);
    const p = txnProducer(broker, { lingerMs: 50 });
    const txn = await p.transaction();
    const acknowledged: string[] = [];
    const sends = ['a', 'b', 'c'].map((value, partition) => txn.send({ topic: 'orders', value, partition: partition % 2 }).then(() => void acknowledged.push(value)));
    await txn.commit();
    expect(acknowledged.sort(), 'every send resolved before commit did').toEqual(['a', 'b', 'c']);
    await Promise.all(sends);
    expect(requestOrder(broker).at(-1)).toBe('EndTxn');
    expect(broker.requestsOf(EndTxn.apiKey)[0]!.body).toMatchObject({ transactionalId: 'tx-1', producerId: 42n, producerEpoch: 3, committed: true });
  });

  it('abortDropsWhatIsNotSentWithATypedErrorKeepsWhatWasAcknowledgedAndEndsWithAbort', async () => {
    let releaseAdd!: () => void;
    const held = new Promise<number>((resolve) => (releaseAdd = () => resolve(0)));
    const broker = await txnBroker({ addPartitions: (_t, partition) => (partition === 1 ? held : 0) });
    const p = txnProducer(broker);
    const txn = await p.transaction();
    const sent = await txn.send({ topic: 'orders', value: 'sent', partition: 0 });
    const unsent = txn.send({ topic: 'orders', value: 'unsent', partition: 1 }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const aborting = txn.abort();
    releaseAdd();
    await aborting;
    expect(sent.offset).toBe(0n);
    const error = await unsent;
    expect(error).toBeInstanceOf(KafkaTransactionAbortedError);
    expect((error as Error).message).toContain('tx-1');
    expect(
      sentBatches(broker).map((b) => b.partition),
      'partition 1’s record never left',
    ).toEqual([0]);
    expect(endTxns(broker)).toEqual([false]);
    expect(txn.isActive()).toBe(false);
    const next = await p.transaction();
    await expect(next.send({ topic: 'orders', value: 'after', partition: 1 })).resolves.toMatchObject({ partition: 1 });
    await next.commit();
    expect(endTxns(broker)).toEqual([false, true]);
  });

  it('aSendWaitingForBufferMemoryWhenTheTransactionAbortsIsDroppedNotAppendedToTheNextOne', async () => {
    let releaseAdd!: () => void;
    const held = new Promise<number>((resolve) => (releaseAdd = () => resolve(0)));
    let adds = 0;
    const broker = await txnBroker({ addPartitions: () => (adds++ === 0 ? held : 0) });
    const p = txnProducer(broker, { bufferMemory: 100 });
    const txn = await p.transaction();
    const first = txn.send({ topic: 'orders', value: 'x'.repeat(60), partition: 0 }).catch((e: unknown) => e);
    const waiting = txn.send({ topic: 'orders', value: 'y'.repeat(60), partition: 0 }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const aborting = txn.abort();
    releaseAdd();
    await aborting;
    expect(await first).toBeInstanceOf(KafkaTransactionAbortedError);
    expect(await waiting, 'it got the memory back only after the abort').toBeInstanceOf(KafkaTransactionAbortedError);
    const next = await p.transaction();
    await next.send({ topic: 'orders', value: 'next', partition: 0 });
    await next.commit();
    expect(
      sentBatches(broker).flatMap((b) => b.recordCount),
      'only the next transaction’s record was sent',
    ).toEqual([1]);
  });

  it('sendOffsetsAddsTheGroupThenCommitsItsOffsetsWithTheConsumersGeneration', async () => {
    const broker = await txnBroker();
    const p = txnProducer(broker);
    const txn = await p.transaction();
    await txn.send({ topic: 'orders', value: 'out', partition: 0 });
    const consumer = { groupMetadata: () => ({ groupId: 'g1', generationId: 5, memberId: 'member-1', groupInstanceId: 'instance-1' }) };
    await txn.sendOffsets({
      groupId: 'g1',
      consumer,
      offsets: [
        { topic: 'in', partition: 0, offset: 10n },
        { topic: 'in', partition: 1, offset: 20n, metadata: 'm', leaderEpoch: 2 },
      ],
    });
    await txn.commit();
    expect(broker.requestsOf(AddOffsetsToTxn.apiKey)[0]!.body).toEqual({ transactionalId: 'tx-1', producerId: 42n, producerEpoch: 3, groupId: 'g1' });
    const groupLookup = broker.requestsOf(FindCoordinator.apiKey).find((r) => r.body.keyType === 0)!;
    expect(groupLookup.body.coordinatorKeys ?? [groupLookup.body.key]).toEqual(['g1']);
    const commit = broker.requestsOf(28)[0]!;
    expect(commit.version, 'v3+: the group can fence a zombie').toBeGreaterThanOrEqual(3);
    expect(commit.body as TxnOffsetCommitRequest).toMatchObject({
      transactionalId: 'tx-1',
      groupId: 'g1',
      producerId: 42n,
      producerEpoch: 3,
      generationId: 5,
      memberId: 'member-1',
      groupInstanceId: 'instance-1',
      topics: [
        {
          name: 'in',
          partitions: [
            { partitionIndex: 0, committedOffset: 10n, committedLeaderEpoch: -1 },
            { partitionIndex: 1, committedOffset: 20n, committedLeaderEpoch: 2, committedMetadata: 'm' },
          ],
        },
      ],
    });
    expect(
      requestOrder(broker)
        .filter((name) => name !== 'FindCoordinator')
        .slice(-3),
    ).toEqual(['AddOffsetsToTxn', 'TxnOffsetCommit', 'EndTxn']);
  });

  it('aCommitCalledWhileSendOffsetsRunsWaitsForTheOffsetsAndCommitsThem; an abort called then drops them', async () => {
    const broker = delayAnswers(await txnBroker(), AddOffsetsToTxn.apiKey, 100);
    const p = txnProducer(broker);
    const offsets = [{ topic: 'in', partition: 0, offset: 7n }];
    const committed = await p.transaction();
    const sending = committed.sendOffsets({ groupId: 'g1', offsets });
    await committed.commit();
    await expect(sending).resolves.toBeUndefined();
    expect(
      requestOrder(broker)
        .filter((name) => name !== 'FindCoordinator')
        .slice(-3),
    ).toEqual(['AddOffsetsToTxn', 'TxnOffsetCommit', 'EndTxn']);
    expect(endTxns(broker)).toEqual([true]);

    const aborted = await p.transaction();
    const dropped = aborted.sendOffsets({ groupId: 'g1', offsets }).catch((e: unknown) => e);
    await aborted.abort();
    expect(await dropped).toBeInstanceOf(KafkaTransactionAbortedError);
    expect(broker.requestsOf(28), 'the aborted transaction’s offsets were never written').toHaveLength(1);
    expect(endTxns(broker), 'the coordinator knew the group: EndTxn(abort)').toEqual([true, false]);
  });

  it('anAddOffsetsToTxnLeftUnansweredMakesAbortBumpTheEpoch: the coordinator may hold a transaction EndTxn would not be sent for', async () => {
    const broker = replaceHandler(await txnBroker(), AddOffsetsToTxn.apiKey, () => () => new Promise(() => {}));
    const p = txnProducer(broker, { requestTimeoutMs: 100, maxBlockMs: 300 });
    const txn = await p.transaction();
    await expect(txn.sendOffsets({ groupId: 'g1', offsets: [{ topic: 'in', partition: 0, offset: 1n }] })).rejects.toBeInstanceOf(KafkaTimeoutError);
    await txn.abort();
    expect(endTxns(broker)).toEqual([]);
    const init = broker.requestsOf(InitProducerId.apiKey);
    expect(
      init.map((r) => [r.body.producerId, r.body.producerEpoch]),
      'the abort is InitProducerId with the current id and epoch',
    ).toEqual([
      [-1n, -1],
      [42n, 3],
    ]);
    const next = await p.transaction();
    await next.send({ topic: 'orders', value: 'v', partition: 0 });
    await next.commit();
    expect(sentBatches(broker).at(-1)).toMatchObject({ producerEpoch: 4, baseSequence: 0 });
  });

  it('sendOffsetsRetriesARetriablePartitionAndSurfacesAnotherTyped; the transaction must then abort', async () => {
    const broker = await txnBroker({
      txnOffsetCommit: (_topic, partition, attempt) =>
        partition === 0 && attempt === 0 ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : partition === 1 ? ErrorCode.ILLEGAL_GENERATION : 0,
    });
    const p = txnProducer(broker);
    const txn = await p.transaction();
    const error = await txn
      .sendOffsets({
        groupId: 'g1',
        offsets: [
          { topic: 'in', partition: 0, offset: 1n },
          { topic: 'in', partition: 1, offset: 1n },
        ],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaProtocolError);
    expect(error).toMatchObject({ errorName: 'ILLEGAL_GENERATION', topic: 'in', partition: 1, groupId: 'g1' });
    const commits = broker.requestsOf(28).map((r) => (r.body as TxnOffsetCommitRequest).topics[0]!.partitions.map((q) => q.partitionIndex));
    expect(commits[0]).toEqual([0, 1]);
    expect(
      commits.every((partitions) => partitions.includes(1)),
      'partition 0 is not sent again once committed',
    ).toBe(true);
    expect(txn.isActive()).toBe(true);
    await expect(txn.commit()).rejects.toBe(error);
    await txn.abort();
    expect(endTxns(broker)).toEqual([false]);
  });

  it('aFailedSendLeavesTheTransactionAbortable: commit rejects with the cause; its lost sequence makes abort bump the epoch', async () => {
    const broker = await txnBroker({ produce: (batch) => (batch.partition === 1 && batch.producerEpoch === 3 ? ErrorCode.INVALID_RECORD : 0) });
    const p = txnProducer(broker);
    const txn = await p.transaction();
    await txn.send({ topic: 'orders', value: 'fine', partition: 0 });
    const failure = await txn.send({ topic: 'orders', value: 'refused', partition: 1 }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ errorName: 'INVALID_RECORD', partition: 1 });
    await expect(txn.commit()).rejects.toBe(failure);
    await expect(txn.send({ topic: 'orders', value: 'more', partition: 0 })).rejects.toThrow(/abort\(\) it/);
    await txn.abort();
    expect(broker.requestsOf(InitProducerId.apiKey)).toHaveLength(2);
    const next = await p.transaction();
    await next.send({ topic: 'orders', value: 'again', partition: 1 });
    await next.commit();
    expect(endTxns(broker)).toEqual([true]);
    expect(sentBatches(broker).at(-1), 'partition 1 starts again at sequence 0, no gap').toMatchObject({ producerEpoch: 4, baseSequence: 0 });
  });

  it('aPartitionTheCoordinatorRefusesFailsItsSendsWithTheCauseAndAbortEndsTheTransaction', async () => {
    const broker = await txnBroker({ addPartitions: (_t, partition) => (partition === 1 ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : 0) });
    const p = txnProducer(broker);
    const txn = await p.transaction();
    const results = await Promise.allSettled([txn.send({ topic: 'orders', value: 'a', partition: 0 }), txn.send({ topic: 'orders', value: 'b', partition: 1 })]);
    const refused = results[1];
    expect(refused).toMatchObject({ status: 'rejected', reason: { errorName: 'TOPIC_AUTHORIZATION_FAILED', topic: 'orders', partition: 1 } });
    await expect(txn.commit()).rejects.toMatchObject({ errorName: 'TOPIC_AUTHORIZATION_FAILED' });
    await txn.abort();
    expect(endTxns(broker)).toEqual([false]);
    expect(sentBatches(broker).every((b) => b.partition === 0)).toBe(true);
  });

  it('fencingIsFatal: the send and commit reject with KafkaProducerFencedError, so does every later call but close', async () => {
    const broker = await txnBroker({ produce: () => ErrorCode.PRODUCER_FENCED });
    const p = txnProducer(broker);
    const txn = await p.transaction();
    const error = await txn.send({ topic: 'orders', value: 'zombie', partition: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaProducerFencedError);
    expect(error).toMatchObject({ transactionalId: 'tx-1', errorName: 'PRODUCER_FENCED', retriable: false });
    await expect(txn.commit()).rejects.toBe(error);
    await expect(txn.abort()).rejects.toBe(error);
    await expect(p.transaction()).rejects.toBe(error);
    expect(txn.isActive()).toBe(false);
    await p.close();
    expect(endTxns(broker)).toEqual([]);
  });

  it('invalidProducerEpochOnEndTxnIsFencing, not a retry', async () => {
    const broker = await txnBroker({ endTxn: () => ErrorCode.INVALID_PRODUCER_EPOCH });
    const p = txnProducer(broker);
    const txn = await p.transaction();
    await txn.send({ topic: 'orders', value: 'v', partition: 0 });
    const error = await txn.commit().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaProducerFencedError);
    expect(error).toMatchObject({ errorName: 'INVALID_PRODUCER_EPOCH' });
    expect(broker.requestsOf(EndTxn.apiKey)).toHaveLength(1);
    await expect(p.transaction()).rejects.toBe(error);
  });

  it('unknownProducerIdFailsTheTransactionAndItsAbortBumpsTheEpoch', async () => {
    const broker = await txnBroker({ produce: (batch) => (batch.producerEpoch === 3 ? ErrorCode.UNKNOWN_PRODUCER_ID : 0) });
    const p = txnProducer(broker);
    const txn = await p.transaction();
    await expect(txn.send({ topic: 'orders', value: 'lost', partition: 0 })).rejects.toMatchObject({ errorName: 'UNKNOWN_PRODUCER_ID' });
    await txn.abort();
    const init = broker.requestsOf(InitProducerId.apiKey);
    expect(init).toHaveLength(2);
    expect(init[1]!.body, 'the abort is an InitProducerId with the current id and epoch').toMatchObject({ transactionalId: 'tx-1', producerId: 42n, producerEpoch: 3 });
    expect(endTxns(broker)).toEqual([]);
    const next = await p.transaction();
    await next.send({ topic: 'orders', value: 'again', partition: 0 });
    await next.commit();
    expect(sentBatches(broker).at(-1)).toMatchObject({ producerEpoch: 4, baseSequence: 0 });
  });

  it('twoCommitCallsShareOneEndTxn, and so do two abort calls', async () => {
    const broker = await txnBroker();
    const p = txnProducer(broker);
    const committing = await p.transaction();
    await committing.send({ topic: 'orders', value: 'a', partition: 0 });
    await Promise.all([committing.commit(), committing.commit()]);
    const aborting = await p.transaction();
    await aborting.send({ topic: 'orders', value: 'b', partition: 0 });
    await Promise.all([aborting.abort(), aborting.abort()]);
    expect(endTxns(broker)).toEqual([true, false]);
  });

  it('aCommitWhoseEndTxnTimesOutIsTypedAndRetriedByCommit', async () => {
    const broker = await txnBroker({ endTxn: (_body, attempt) => (attempt < 3 ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : 0) });
    const p = txnProducer(broker, { maxBlockMs: 40, retryBackoffMs: 30, retryBackoffMaxMs: 30 });
    const txn = await p.transaction();
    await txn.send({ topic: 'orders', value: 'v', partition: 0 });
    const error = await txn.commit().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaTimeoutError);
    expect((error as Error).message).toMatch(/EndTxn \(commit\) for transactional id tx-1 did not complete within maxBlockMs \(40 ms\)/);
    await expect(txn.abort(), 'a commit in doubt is not aborted').rejects.toBeInstanceOf(KafkaTransactionStateError);
    let commit = txn.commit();
    while (
      await commit.then(
        () => false,
        () => true,
      )
    )
      commit = txn.commit();
    expect(endTxns(broker).every((committed) => committed)).toBe(true);
    expect(txn.isActive()).toBe(false);
  });
});
