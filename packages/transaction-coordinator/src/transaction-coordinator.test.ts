import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { fixture, initialized, orders0, orders1 } from './test-support/coordinator-fixture.test-support.js';
import { settle } from './test-support/fakes.test-support.js';

describe('TransactionCoordinator', () => {
  it('closeStopsTimersAndMarkerRetriesAndAnswersNoMore', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    await f.add('txn-a', producer, [orders0]);
    f.markers.answer = () => ErrorCode.NOT_LEADER_OR_FOLLOWER;
    await f.end('txn-a', producer, true);
    await settle();
    f.coordinator.close();
    expect(f.timers.scheduled).toBe(0);
    await f.timers.advance(60_000);
    expect(f.markers.entries).toHaveLength(1);
    expect((await f.init('txn-a')).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect((await f.describe('txn-a')).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect((await f.coordinator.listTransactions({ stateFilters: [], producerIdFilters: [], durationFilter: -1n })).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });

  it('describeWhileMarkersGoOutShowsOnlyPartitionsStillWithoutTheirMarker', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    await f.add('txn-a', producer, [orders0, orders1]);
    f.markers.answer = (partition) => (partition.partition === 1 ? ErrorCode.NOT_ENOUGH_REPLICAS : ErrorCode.NONE);
    await f.end('txn-a', producer, false);
    await settle();
    const described = await f.describe('txn-a');
    expect([described.transactionState, described.topics]).toEqual(['PrepareAbort', [{ topic: 'orders', partitions: [1] }]]);
    f.markers.answer = () => ErrorCode.NONE;
    await f.timers.advance(100);
    expect((await f.describe('txn-a')).transactionState).toBe('CompleteAbort');
  });
});
