import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { fixture, initialized, orders0, payments0 } from './test-support/coordinator-fixture.test-support.js';
import { settle } from './test-support/fakes.test-support.js';

async function threeTransactions() {
  const f = fixture();
  await f.elect();
  const a = await initialized(f, 'txn-a');
  await f.add('txn-a', a, [orders0, payments0]);
  f.timers.now += 10_000;
  const b = await initialized(f, 'txn-b');
  await f.add('txn-b', b, [orders0]);
  await f.end('txn-b', b, true);
  await settle();
  await initialized(f, 'txn-c');
  return { f, a, b };
}

describe('DescribeTransactions', () => {
  it('describesStatePartitionsAndProducerAndNamesUnknownIds', async () => {
    const { f, a } = await threeTransactions();
    const response = await f.coordinator.describeTransactions({ transactionalIds: ['txn-a', 'missing', 'txn-c'] });
    expect(response.transactionStates).toEqual([
      {
        errorCode: ErrorCode.NONE,
        transactionalId: 'txn-a',
        transactionState: 'Ongoing',
        transactionTimeoutMs: 60_000,
        transactionStartTimeMs: BigInt(f.timers.now - 10_000),
        producerId: a.producerId,
        producerEpoch: 0,
        topics: [
          { topic: 'orders', partitions: [0] },
          { topic: 'payments', partitions: [0] },
        ],
      },
      {
        errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND,
        transactionalId: 'missing',
        transactionState: '',
        transactionTimeoutMs: 0,
        transactionStartTimeMs: 0n,
        producerId: 0n,
        producerEpoch: 0,
        topics: [],
      },
      expect.objectContaining({ transactionalId: 'txn-c', transactionState: 'Empty', transactionStartTimeMs: -1n }),
    ]);
  });

  it('idOfAPartitionNotLedHereIsNotCoordinator', async () => {
    const f = fixture({ partitions: 2 });
    await f.elect(0);
    // 'a' → partition 1.
    expect((await f.describe('a')).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  });
});

describe('ListTransactions', () => {
  it('filtersByStateProducerIdAndDuration', async () => {
    const { f, a, b } = await threeTransactions();
    const list = async (stateFilters: string[], producerIdFilters: bigint[] = [], durationFilter = -1n) =>
      (await f.coordinator.listTransactions({ stateFilters, producerIdFilters, durationFilter })).transactionStates.map((t) => `${t.transactionalId}:${t.transactionState}`).sort();
    expect(await list([])).toEqual(['txn-a:Ongoing', 'txn-b:CompleteCommit', 'txn-c:Empty']);
    expect(await list(['Ongoing', 'CompleteCommit'])).toEqual(['txn-a:Ongoing', 'txn-b:CompleteCommit']);
    expect(await list([], [b.producerId])).toEqual(['txn-b:CompleteCommit']);
    expect(await list(['Ongoing'], [], 5_000n)).toEqual(['txn-a:Ongoing']);
    expect(await list(['Ongoing'], [], 20_000n)).toEqual([]);
    void a;
  });

  it('unknownStateNamesComeBackAndMatchNothingAlone', async () => {
    const { f } = await threeTransactions();
    const response = await f.coordinator.listTransactions({ stateFilters: ['Bogus'], producerIdFilters: [], durationFilter: -1n });
    expect(response).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, unknownStateFilters: ['Bogus'], transactionStates: [] });
  });

  it('whileAPartitionLoadsTheAnswerIsLoadInProgress', async () => {
    const f = fixture();
    f.log.lead(0, 0);
    f.coordinator.onElection(0, 0);
    const response = await f.coordinator.listTransactions({ stateFilters: [], producerIdFilters: [], durationFilter: -1n });
    expect(response.errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  });
});
