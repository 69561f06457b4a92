import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { TransactionState } from './records/index.js';
import { fixture, initialized, orders0, orders1 } from './test-support/coordinator-fixture.test-support.js';
import { settle } from './test-support/fakes.test-support.js';

describe('load and resume', () => {
  it('newCoordinatorResumesAnUnfinishedCommitAtItsEpoch', async () => {
    const first = fixture();
    await first.elect(0, 3);
    const producer = await initialized(first, 'txn-a');
    await first.add('txn-a', producer, [orders0, orders1]);
    const release = first.markers.hold();
    expect(await first.end('txn-a', producer, true)).toBe(ErrorCode.NONE);
    // The leader moves while the markers are out: the old coordinator stops.
    first.coordinator.onResignation(0, 3);
    release();
    await settle();
    expect((await first.log.records()).at(-1)!.value!.state).toBe(TransactionState.PrepareCommit);

    const second = fixture({ log: first.log });
    await second.elect(0, 4);
    await settle();
    expect(second.markers.entries).toEqual([{ producerId: 1000n, producerEpoch: 0, coordinatorEpoch: 4, commit: true, partitions: [orders0, orders1] }]);
    expect((await second.log.records()).at(-1)!.value!.state).toBe(TransactionState.CompleteCommit);
    expect((await second.describe('txn-a')).transactionState).toBe('CompleteCommit');
    // The old coordinator's late answer does nothing.
    expect(await first.end('txn-a', producer, true)).toBe(ErrorCode.NOT_COORDINATOR);
  });

  it('loadedIdsKeepTheirProducerAndOpenTransaction', async () => {
    const first = fixture();
    await first.elect();
    const producer = await initialized(first, 'txn-a');
    await first.add('txn-a', producer, [orders0]);
    first.coordinator.close();

    const second = fixture({ log: first.log });
    await second.elect(0, 1);
    const described = await second.describe('txn-a');
    expect([described.transactionState, described.producerEpoch, described.topics]).toEqual(['Ongoing', 0, [{ topic: 'orders', partitions: [0] }]]);
    expect(await second.end('txn-a', producer, false)).toBe(ErrorCode.NONE);
    await settle();
    expect(second.markers.entries).toEqual([{ producerId: 1000n, producerEpoch: 0, coordinatorEpoch: 1, commit: false, partitions: [orders0] }]);
  });

  it('writeAnsweredAfterResignationIsNotCoordinatorAndNotApplied', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    const release = f.log.holdAppends();
    const adding = f.add('txn-a', producer, [orders0]);
    await settle();
    f.coordinator.onResignation(0);
    release();
    expect(await adding).toEqual([ErrorCode.NOT_COORDINATOR]);
    expect((await f.describe('txn-a')).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  });

  it('staleResignationIsIgnoredAndNewerElectionReloads', async () => {
    const f = fixture();
    await f.elect(0, 5);
    await initialized(f, 'txn-a');
    f.coordinator.onResignation(0, 4);
    expect((await f.describe('txn-a')).transactionState).toBe('Empty');
    await f.elect(0, 6);
    expect((await f.describe('txn-a')).transactionState).toBe('Empty');
    expect((await f.init('txn-a')).producerEpoch).toBe(1);
  });

  it('reElectionAtANewerEpochMidRoundResumesOnceAndTheOldRoundStops: the same broker re-elected while markers are out sends them again at the new epoch and writes one CompleteCommit', async () => {
    const f = fixture();
    await f.elect(0, 3);
    const producer = await initialized(f, 'txn-a');
    await f.add('txn-a', producer, [orders0]);
    const release = f.markers.hold();
    expect(await f.end('txn-a', producer, true)).toBe(ErrorCode.NONE);
    await settle();
    await f.elect(0, 4);
    await settle();
    release();
    await settle();
    expect(f.markers.entries.map((entry) => entry.coordinatorEpoch)).toEqual([3, 4]);
    const states = (await f.log.records()).map((record) => record.value?.state);
    expect(states.filter((state) => state === TransactionState.CompleteCommit)).toHaveLength(1);
    expect((await f.describe('txn-a')).transactionState).toBe('CompleteCommit');
  });

  it('unreadablePartitionIsNotCoordinator', async () => {
    const f = fixture();
    f.log.lead(0, 0);
    await f.log.append(0, 0, Buffer.from('not a record batch, just bytes that are long enough to look like one........'));
    await f.elect();
    expect((await f.init('txn-a')).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(f.logger.lines.some((line) => line.level === 'error' && /loading a __transaction_state partition failed/.test(line.msg))).toBe(true);
  });
});
