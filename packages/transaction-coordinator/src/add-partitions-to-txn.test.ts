import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { TransactionState } from './records/index.js';
import { fixture, initialized, orders0, orders1, payments0 } from './test-support/coordinator-fixture.test-support.js';
import { settle } from './test-support/fakes.test-support.js';
import { coordinatorPartition } from './txn/index.js';

describe('AddPartitionsToTxn', () => {
  it('partitionsAlreadyInTheTransactionAreAnsweredWithoutAWrite', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    await f.add('txn-a', producer, [orders0]);
    const written = (await f.log.records()).length;
    expect(await f.add('txn-a', producer, [orders0])).toEqual([ErrorCode.NONE]);
    expect((await f.log.records()).length).toBe(written);
    expect(await f.add('txn-a', producer, [orders0, orders1])).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    const last = (await f.log.records()).at(-1)!.value!;
    expect(last.state).toBe(TransactionState.Ongoing);
    expect(last.partitions).toEqual([orders0, orders1]);
  });

  it('unknownPartitionIsUnknownAndTheOthersNotAttempted', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    const unknown = { topic: 'nope', partition: 0 };
    expect(await f.add('txn-a', producer, [orders0, unknown])).toEqual([ErrorCode.OPERATION_NOT_ATTEMPTED, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    expect((await f.describe('txn-a')).transactionState).toBe('Empty');
  });

  it('unknownIdOrProducerIsInvalidMappingAndOldEpochFencedPerVersion', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    expect(await f.add('other', producer, [orders0])).toEqual([ErrorCode.INVALID_PRODUCER_ID_MAPPING]);
    expect(await f.add('txn-a', { producerId: 1n, producerEpoch: 0 }, [orders0])).toEqual([ErrorCode.INVALID_PRODUCER_ID_MAPPING]);
    expect(await f.add('txn-a', { producerId: producer.producerId, producerEpoch: 3 }, [orders0], 2)).toEqual([ErrorCode.PRODUCER_FENCED]);
    expect(await f.add('txn-a', { producerId: producer.producerId, producerEpoch: 3 }, [orders0], 1)).toEqual([ErrorCode.INVALID_PRODUCER_EPOCH]);
  });

  it('concurrentAddWhileAWriteIsInFlightIsConcurrentTransactions', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    const release = f.log.holdAppends();
    const first = f.add('txn-a', producer, [orders0]);
    await settle();
    expect(await f.add('txn-a', producer, [orders1])).toEqual([ErrorCode.CONCURRENT_TRANSACTIONS]);
    release();
    expect(await first).toEqual([ErrorCode.NONE]);
  });

  it('v4BatchesTransactionsAndVerifyOnlyAddsNothing', async () => {
    const f = fixture();
    await f.elect();
    const a = await initialized(f, 'txn-a');
    const b = await initialized(f, 'txn-b');
    await f.add('txn-a', a, [orders0]);
    const response = await f.coordinator.addPartitionsToTxn(
      {
        transactions: [
          { transactionalId: 'txn-a', producerId: a.producerId, producerEpoch: a.producerEpoch, verifyOnly: true, topics: [{ name: 'orders', partitions: [0, 1] }] },
          { transactionalId: 'txn-b', producerId: b.producerId, producerEpoch: b.producerEpoch, verifyOnly: false, topics: [{ name: 'payments', partitions: [0] }] },
        ],
        v3AndBelowTransactionalId: '',
        v3AndBelowProducerId: 0n,
        v3AndBelowProducerEpoch: 0,
        v3AndBelowTopics: [],
      },
      4,
    );
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(response.resultsByTransaction).toEqual([
      {
        transactionalId: 'txn-a',
        topicResults: [
          {
            name: 'orders',
            resultsByPartition: [
              { partitionIndex: 0, partitionErrorCode: ErrorCode.NONE },
              { partitionIndex: 1, partitionErrorCode: ErrorCode.TRANSACTION_ABORTABLE },
            ],
          },
        ],
      },
      { transactionalId: 'txn-b', topicResults: [{ name: 'payments', resultsByPartition: [{ partitionIndex: 0, partitionErrorCode: ErrorCode.NONE }] }] },
    ]);
    expect((await f.describe('txn-a')).topics).toEqual([{ topic: 'orders', partitions: [0] }]);
    expect((await f.describe('txn-b')).topics).toEqual([{ topic: 'payments', partitions: [0] }]);
  });

  it('startTimestampIsSetWhenTheTransactionBeginsAndKeptAfter', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    await f.add('txn-a', producer, [orders0]);
    const started = f.timers.now;
    f.timers.now += 5000;
    await f.add('txn-a', producer, [payments0]);
    const records = await f.log.records();
    expect(records.at(-1)!.value!.startTimestampMs).toBe(BigInt(started));
    expect(records.at(-1)!.value!.lastUpdateTimestampMs).toBe(BigInt(started + 5000));
  });
});

describe('AddOffsetsToTxn', () => {
  it('addsTheGroupsConsumerOffsetsPartition', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    const response = await f.coordinator.addOffsetsToTxn(
      { transactionalId: 'txn-a', producerId: producer.producerId, producerEpoch: producer.producerEpoch, groupId: 'my-group' },
      3,
    );
    expect(response.errorCode).toBe(ErrorCode.NONE);
    const partition = coordinatorPartition('my-group', 50);
    expect((await f.describe('txn-a')).topics).toEqual([{ topic: '__consumer_offsets', partitions: [partition] }]);
    await f.end('txn-a', producer, true);
    await settle();
    expect(f.markers.entries[0]!.partitions).toEqual([{ topic: '__consumer_offsets', partition }]);
  });

  it('oldEpochIsFencedPerVersion', async () => {
    const f = fixture();
    await f.elect();
    const producer = await initialized(f, 'txn-a');
    const request = { transactionalId: 'txn-a', producerId: producer.producerId, producerEpoch: 9, groupId: 'g' };
    expect((await f.coordinator.addOffsetsToTxn(request, 2)).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await f.coordinator.addOffsetsToTxn(request, 1)).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });
});

describe('coordinatorPartition', () => {
  it('matchesJavasHashCodeIncludingIntegerMinValue', () => {
    expect(coordinatorPartition('a', 50)).toBe(97 % 50);
    // "polygenelubricants".hashCode() === Integer.MIN_VALUE: Kafka's Utils.abs maps it to 0.
    expect(coordinatorPartition('polygenelubricants', 50)).toBe(0);
    // "my-group".hashCode() is negative: -1906497762.
    expect(coordinatorPartition('my-group', 50)).toBe(1_906_497_762 % 50);
  });
});
