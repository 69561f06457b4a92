import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { TransactionState } from './records/index.js';
import { fixture, initialized, orders0 } from './test-support/coordinator-fixture.test-support.js';

describe('timed-out transactions', () => {
  it('ongoingTransactionOlderThanItsTimeoutIsAbortedAndItsProducerFenced', async () => {
    const f = fixture({ config: { abortTimedOutTransactionsIntervalMs: 1000 } });
    await f.elect();
    const producer = await initialized(f, 'txn-a', 5000);
    await f.add('txn-a', producer, [orders0]);
    await f.timers.advance(5000);
    expect((await f.describe('txn-a')).transactionState).toBe('Ongoing');
    await f.timers.advance(1000);
    expect(f.markers.entries).toEqual([{ producerId: producer.producerId, producerEpoch: 1, coordinatorEpoch: 0, commit: false, partitions: [orders0] }]);
    const described = await f.describe('txn-a');
    expect([described.transactionState, described.producerEpoch]).toEqual(['CompleteAbort', 1]);
    expect(await f.end('txn-a', producer, true)).toBe(ErrorCode.PRODUCER_FENCED);
    expect(await f.add('txn-a', producer, [orders0], 1)).toEqual([ErrorCode.INVALID_PRODUCER_EPOCH]);
    expect((await f.log.records()).map((r) => r.value!.state).slice(-2)).toEqual([TransactionState.PrepareAbort, TransactionState.CompleteAbort]);
    // The restarted producer gets the next epoch.
    expect((await f.init('txn-a')).producerEpoch).toBe(2);
  });

  it('transactionsWithinTheirTimeoutAndIdleIdsAreLeftAlone', async () => {
    const f = fixture({ config: { abortTimedOutTransactionsIntervalMs: 1000 } });
    await f.elect();
    const producer = await initialized(f, 'txn-a', 60_000);
    await initialized(f, 'txn-idle', 1000);
    await f.add('txn-a', producer, [orders0]);
    await f.timers.advance(30_000);
    expect((await f.describe('txn-a')).transactionState).toBe('Ongoing');
    expect((await f.describe('txn-idle')).transactionState).toBe('Empty');
    expect(f.markers.entries).toEqual([]);
  });

  it('checksStopAfterResignation', async () => {
    const f = fixture({ config: { abortTimedOutTransactionsIntervalMs: 1000 } });
    await f.elect();
    expect(f.timers.scheduled).toBe(2);
    f.coordinator.onResignation(0, 0);
    expect(f.timers.scheduled).toBe(0);
  });
});
