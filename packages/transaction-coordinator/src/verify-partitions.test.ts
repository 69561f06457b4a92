import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { fixture, initialized, orders0, orders1 } from './test-support/coordinator-fixture.test-support.js';
import { settle } from './test-support/fakes.test-support.js';

const codes = (results: readonly { errorCode: number }[]) => results.map((r) => r.errorCode);

describe('TransactionCoordinator.verifyPartitions (KIP-890, a partition leader checking a transactional produce)', () => {
  it('noneOnlyForAPartitionAddedToTheOngoingTransaction: a partition never added is TRANSACTION_ABORTABLE', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    const request = { transactionalId: 'txn-a', ...producer, partitions: [orders0, orders1] };
    expect(codes(f.coordinator.verifyPartitions(request))).toEqual([ErrorCode.TRANSACTION_ABORTABLE, ErrorCode.TRANSACTION_ABORTABLE]);
    await f.add('txn-a', producer, [orders0]);
    expect(f.coordinator.verifyPartitions(request)).toEqual([
      { ...orders0, errorCode: ErrorCode.NONE },
      { ...orders1, errorCode: ErrorCode.TRANSACTION_ABORTABLE },
    ]);
  });

  it('abortedTransactionNoLongerVerifies: a late produce after EndTxn(abort) is refused, while completing and once complete', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    await f.add('txn-a', producer, [orders0]);
    expect(await f.end('txn-a', producer, false)).toBe(ErrorCode.NONE);
    const request = { transactionalId: 'txn-a', ...producer, partitions: [orders0] };
    expect(codes(f.coordinator.verifyPartitions(request))).not.toEqual([ErrorCode.NONE]);
    await settle();
    expect(codes(f.coordinator.verifyPartitions(request))).toEqual([ErrorCode.TRANSACTION_ABORTABLE]);
  });

  it('otherProducerOrEpochIsRefusedAndAClosedCoordinatorIsNotAvailable', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    await f.add('txn-a', producer, [orders0]);
    const verify = (transactionalId: string, producerId: bigint, producerEpoch: number) =>
      codes(f.coordinator.verifyPartitions({ transactionalId, producerId, producerEpoch, partitions: [orders0] }));
    expect(verify('other', producer.producerId, producer.producerEpoch)).toEqual([ErrorCode.INVALID_PRODUCER_ID_MAPPING]);
    expect(verify('txn-a', producer.producerId + 1n, producer.producerEpoch)).toEqual([ErrorCode.INVALID_PRODUCER_ID_MAPPING]);
    expect(verify('txn-a', producer.producerId, producer.producerEpoch - 1)).toEqual([ErrorCode.PRODUCER_FENCED]);
    f.coordinator.close();
    expect(verify('txn-a', producer.producerId, producer.producerEpoch)).toEqual([ErrorCode.COORDINATOR_NOT_AVAILABLE]);
  });
});
