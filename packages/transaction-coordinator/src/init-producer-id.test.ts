import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { encodeTransactionLogBatch, TransactionState } from './records/index.js';
import { fixture, initialized, orders0 } from './test-support/coordinator-fixture.test-support.js';
import { settle } from './test-support/fakes.test-support.js';

describe('InitProducerId', () => {
  it('newIdGetsAFreshProducerIdAtEpochZeroAndARetryBumpsTheEpoch', async () => {
    const f = fixture();
    await f.elect();
    expect(await f.init('txn-a')).toEqual({ errorCode: ErrorCode.NONE, producerId: 1000n, producerEpoch: 0 });
    expect(await f.init('txn-a')).toEqual({ errorCode: ErrorCode.NONE, producerId: 1000n, producerEpoch: 1 });
    expect(await f.init('txn-b')).toEqual({ errorCode: ErrorCode.NONE, producerId: 1001n, producerEpoch: 0 });
    const records = await f.log.records();
    expect(records.map((r) => [r.transactionalId, r.value!.state, r.value!.producerEpoch, r.value!.partitions])).toEqual([
      ['txn-a', TransactionState.Empty, 0, []],
      ['txn-a', TransactionState.Empty, 1, []],
      ['txn-b', TransactionState.Empty, 0, []],
    ]);
  });

  it('timeoutAboveTheMaximumOrNotPositiveIsInvalid', async () => {
    const f = fixture({ config: { transactionMaxTimeoutMs: 60_000 } });
    await f.elect();
    expect((await f.init('txn-a', { timeoutMs: 60_001 })).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect((await f.init('txn-a', { timeoutMs: 0 })).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect((await f.init('txn-a', { timeoutMs: 60_000 })).errorCode).toBe(ErrorCode.NONE);
  });

  it('notLedHereIsNotCoordinatorAndLoadingIsLoadInProgress', async () => {
    const f = fixture({ partitions: 2 });
    // 'a'.hashCode() = 97 → partition 1 of 2.
    expect((await f.init('a')).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    f.log.lead(1, 0);
    f.coordinator.onElection(1, 0);
    expect((await f.init('a')).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    await settle();
    expect((await f.init('a')).errorCode).toBe(ErrorCode.NONE);
    f.coordinator.onResignation(1, 0);
    expect((await f.init('a')).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  });

  it('secondInitFencesAnOngoingTransaction', async () => {
    const f = fixture();
    await f.elect();
    const first = await initialized(f, 'txn-a');
    await f.add('txn-a', first, [orders0]);
    // The new producer: the open transaction is aborted at a bumped epoch, and it is told to retry.
    expect((await f.init('txn-a')).errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    await settle();
    expect(f.markers.entries).toEqual([{ producerId: 1000n, producerEpoch: 1, coordinatorEpoch: 0, commit: false, partitions: [orders0] }]);
    expect(await f.init('txn-a')).toEqual({ errorCode: ErrorCode.NONE, producerId: 1000n, producerEpoch: 2 });
    // The zombie cannot commit, add or end.
    expect(await f.end('txn-a', first, true)).toBe(ErrorCode.PRODUCER_FENCED);
    expect(await f.end('txn-a', first, true, 1)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(await f.add('txn-a', first, [orders0])).toEqual([ErrorCode.PRODUCER_FENCED]);
    const states = (await f.log.records()).map((r) => [r.value!.state, r.value!.producerEpoch]);
    expect(states).toEqual([
      [TransactionState.Empty, 0],
      [TransactionState.Ongoing, 0],
      [TransactionState.PrepareAbort, 1],
      [TransactionState.CompleteAbort, 1],
      [TransactionState.Empty, 2],
    ]);
  });

  it('fencedProducerIsRefusedAtOnceEvenWhenTheFenceWriteFails', async () => {
    const f = fixture();
    await f.elect();
    const first = await initialized(f, 'txn-a');
    await f.add('txn-a', first, [orders0]);
    f.log.failNext(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect((await f.init('txn-a')).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(await f.end('txn-a', first, true)).toBe(ErrorCode.PRODUCER_FENCED);
    // The next fence does not bump again: the epoch that failed to be written was never handed out.
    expect((await f.init('txn-a')).errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    await settle();
    expect(f.markers.entries.map((e) => e.producerEpoch)).toEqual([1]);
    expect((await f.init('txn-a')).producerEpoch).toBe(2);
  });

  it('initWhileAWriteIsInFlightIsConcurrentTransactions', async () => {
    const f = fixture();
    await f.elect();
    await initialized(f, 'txn-a');
    const release = f.log.holdAppends();
    const pending = f.init('txn-a');
    await settle();
    expect((await f.init('txn-a')).errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    release();
    expect((await pending).producerEpoch).toBe(1);
  });

  it('exhaustedEpochRotatesToANewProducerId', async () => {
    const f = fixture();
    f.log.lead(0, 0);
    const value = {
      producerId: 500n,
      producerEpoch: 32_766,
      transactionTimeoutMs: 60_000,
      state: TransactionState.CompleteCommit,
      partitions: [],
      lastUpdateTimestampMs: 1n,
      startTimestampMs: 1n,
    };
    await f.log.append(0, 0, encodeTransactionLogBatch([{ transactionalId: 'txn-a', value }], 1n));
    await f.elect(0, 0);
    expect(await f.init('txn-a')).toEqual({ errorCode: ErrorCode.NONE, producerId: 1000n, producerEpoch: 0 });
  });

  it('kip360ExpectedProducerMustBeCurrentOrTheRetriedBump', async () => {
    const f = fixture();
    await f.elect();
    const first = await initialized(f, 'txn-a');
    const bump = await f.init('txn-a', { producerId: first.producerId, producerEpoch: first.producerEpoch });
    expect(bump).toEqual({ errorCode: ErrorCode.NONE, producerId: 1000n, producerEpoch: 1 });
    // The same request again (its answer was lost): the same epoch, no new bump.
    expect(await f.init('txn-a', { producerId: first.producerId, producerEpoch: first.producerEpoch })).toEqual(bump);
    expect((await f.init('txn-a', { producerId: 1000n, producerEpoch: 7 })).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await f.init('txn-a', { producerId: 1000n, producerEpoch: 7, apiVersion: 3 })).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect((await f.init('txn-a', { producerId: 999n, producerEpoch: 1 })).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await f.init('txn-a', { producerId: 1000n, producerEpoch: -1 })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('noProducerIdBlockYetAnswersTheSourcesError', async () => {
    const f = fixture();
    await f.elect();
    f.producerIds.failNext(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect((await f.init('txn-a')).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect((await f.init('txn-a')).errorCode).toBe(ErrorCode.NONE);
  });

  it('nullOrEmptyTransactionalIdIsInvalidRequest', async () => {
    const f = fixture();
    await f.elect();
    expect((await f.init('')).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    const response = await f.coordinator.initProducerId({ transactionalId: null, transactionTimeoutMs: 1000, producerId: -1n, producerEpoch: -1 }, 4);
    expect(response.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});
