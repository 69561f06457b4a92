import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { TransactionState } from './records/index.js';
import { fixture, initialized, orders0, orders1, payments0 } from './test-support/coordinator-fixture.test-support.js';
import { settle } from './test-support/fakes.test-support.js';

describe('EndTxn', () => {
  it('commitWritesOngoingPrepareCommitMarkersThenCompleteCommit', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    expect(producer).toEqual({ errorCode: ErrorCode.NONE, producerId: 1000n, producerEpoch: 0 });
    expect(await f.add('txn-a', producer, [orders0, payments0])).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    expect(await f.end('txn-a', producer, true)).toBe(ErrorCode.NONE);
    await settle();

    const records = await f.log.records();
    expect(records.map((r) => r.value!.state)).toEqual([TransactionState.Empty, TransactionState.Ongoing, TransactionState.PrepareCommit, TransactionState.CompleteCommit]);
    expect(records.every((r) => r.transactionalId === 'txn-a' && r.value!.producerId === 1000n && r.value!.producerEpoch === 0)).toBe(true);
    expect(records[1]!.value!.partitions).toEqual([orders0, payments0]);
    expect(records[1]!.value!.startTimestampMs).toBe(BigInt(f.timers.now));
    expect(records[2]!.value!.partitions).toEqual([orders0, payments0]);
    expect(records[3]!.value!.partitions).toEqual([]);
    expect(f.markers.entries).toEqual([{ producerId: 1000n, producerEpoch: 0, coordinatorEpoch: 0, commit: true, partitions: [orders0, payments0] }]);
    expect((await f.describe('txn-a')).transactionState).toBe('CompleteCommit');
  });

  it('abortWritesPrepareAbortMarkersThenCompleteAbort', async () => {
    const f = fixture();
    await f.elect(0, 4);
    const producer = await initialized(f, 'txn-a');
    await f.add('txn-a', producer, [orders1]);
    expect(await f.end('txn-a', producer, false)).toBe(ErrorCode.NONE);
    await settle();
    expect((await f.log.records()).map((r) => r.value!.state).slice(2)).toEqual([TransactionState.PrepareAbort, TransactionState.CompleteAbort]);
    expect(f.markers.entries).toEqual([{ producerId: 1000n, producerEpoch: 0, coordinatorEpoch: 4, commit: false, partitions: [orders1] }]);
  });

  it('retryAfterCompletionWithTheSameResultIsNoneAndWithTheOtherInvalidTxnState', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    await f.add('txn-a', producer, [orders0]);
    await f.end('txn-a', producer, true);
    await settle();
    expect(await f.end('txn-a', producer, true)).toBe(ErrorCode.NONE);
    expect(await f.end('txn-a', producer, false)).toBe(ErrorCode.INVALID_TXN_STATE);
  });

  it('endWithoutATransactionIsInvalidTxnState', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    expect(await f.end('txn-a', producer, true)).toBe(ErrorCode.INVALID_TXN_STATE);
  });

  it('whileMarkersAreInFlightEveryRequestIsConcurrentTransactions', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    await f.add('txn-a', producer, [orders0]);
    const release = f.markers.hold();
    expect(await f.end('txn-a', producer, true)).toBe(ErrorCode.NONE);
    expect(await f.end('txn-a', producer, true)).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    // The Complete* transition is pending from PrepareCommit on: Kafka answers every request CONCURRENT_TRANSACTIONS.
    expect(await f.end('txn-a', producer, false)).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    expect(await f.add('txn-a', producer, [orders1])).toEqual([ErrorCode.CONCURRENT_TRANSACTIONS]);
    expect((await f.init('txn-a')).errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    expect((await f.describe('txn-a')).transactionState).toBe('PrepareCommit');
    release();
    await settle();
    expect((await f.describe('txn-a')).transactionState).toBe('CompleteCommit');
  });

  it('wrongProducerIdIsInvalidMappingAndOldEpochIsFencedPerVersion', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    await f.add('txn-a', producer, [orders0]);
    expect(await f.end('txn-a', { producerId: 5n, producerEpoch: 0 }, true)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    expect(await f.end('txn-a', { producerId: 1000n, producerEpoch: 1 }, true, 2)).toBe(ErrorCode.PRODUCER_FENCED);
    expect(await f.end('txn-a', { producerId: 1000n, producerEpoch: 1 }, true, 1)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(await f.end('unknown', producer, true)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  });

  it('retriableMarkerErrorsAreRetriedWithBackoffUntilWritten', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    await f.add('txn-a', producer, [orders0, orders1]);
    let failures = 3;
    f.markers.answer = (partition) => (partition.partition === 1 && failures-- > 0 ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.NONE);
    await f.end('txn-a', producer, true);
    await settle();
    expect(f.markers.entries.map((e) => e.partitions)).toEqual([[orders0, orders1]]);
    await f.timers.advance(100);
    await f.timers.advance(200);
    await f.timers.advance(400);
    // Only the partition still without its marker is retried.
    expect(f.markers.entries.map((e) => e.partitions)).toEqual([[orders0, orders1], [orders1], [orders1], [orders1]]);
    expect((await f.describe('txn-a')).transactionState).toBe('CompleteCommit');
  });

  it('deletedPartitionIsDroppedFromTheMarkers', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    await f.add('txn-a', producer, [orders0, payments0]);
    f.topics.delete('payments');
    f.markers.answer = (partition) => (partition.topic === 'payments' ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.NONE);
    await f.end('txn-a', producer, false);
    await settle();
    expect(f.markers.entries.map((e) => e.partitions)).toEqual([[orders0]]);
    expect((await f.describe('txn-a')).transactionState).toBe('CompleteAbort');
  });

  it('staleCoordinatorStopsSendingWhenAPartitionFencesIt', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    await f.add('txn-a', producer, [orders0]);
    f.markers.answer = () => ErrorCode.TRANSACTION_COORDINATOR_FENCED;
    await f.end('txn-a', producer, true);
    await f.timers.advance(10_000);
    expect(f.markers.entries).toHaveLength(1);
    expect((await f.describe('txn-a')).transactionState).toBe('PrepareCommit');
  });

  it('completeRecordRetriedWhileTheLogIsUnavailable', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    await f.add('txn-a', producer, [orders0]);
    const release = f.markers.hold();
    await f.end('txn-a', producer, true);
    f.log.failNext(ErrorCode.NOT_ENOUGH_REPLICAS, ErrorCode.REQUEST_TIMED_OUT);
    release();
    await settle();
    expect((await f.describe('txn-a')).transactionState).toBe('PrepareCommit');
    await f.timers.advance(100);
    await f.timers.advance(200);
    expect((await f.describe('txn-a')).transactionState).toBe('CompleteCommit');
  });

  it('failedPrepareWriteRevertsAndAnswersTheCoordinatorError', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    await f.add('txn-a', producer, [orders0]);
    f.log.failNext(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(await f.end('txn-a', producer, true)).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect((await f.describe('txn-a')).transactionState).toBe('Ongoing');
    expect(f.markers.entries).toEqual([]);
    expect(await f.end('txn-a', producer, true)).toBe(ErrorCode.NONE);
  });

  it('markerWriterThatRejectsIsRetried', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    await f.add('txn-a', producer, [orders0]);
    let rejections = 1;
    const write = f.markers.write.bind(f.markers);
    f.markers.write = async (entry) => {
      if (rejections-- > 0) throw new Error('peer link closed');
      return write(entry);
    };
    await f.end('txn-a', producer, true);
    await settle();
    expect((await f.describe('txn-a')).transactionState).toBe('PrepareCommit');
    await f.timers.advance(100);
    expect((await f.describe('txn-a')).transactionState).toBe('CompleteCommit');
  });
});
