// Transactions as a consumer sees them through Fetch: a transactional
// producer's batches, its markers written through the WriteTxnMarkers
// handler, and read_committed reads that stop at the last stable offset
// and list the aborted transactions.
import { describe, expect, it } from 'vitest';
import { ErrorCode, Fetch, WriteTxnMarkers, ZERO_UUID, type RequestOf, type ResponseOf } from '@kstream/protocol';
import { clusterRecords, overTheWire, testBroker, type TestBroker } from '../partitions/broker-services.test-support.js';
import { batchBaseOffsets, producerBatch } from '../txn/txn-batches.test-support.js';
import { fetchHandler } from './fetch-handler.js';
import { NO_RESPONSE } from './handler.js';
import { writeTxnMarkersHandler } from './write-txn-markers-handler.js';

const ORDERS = { name: 'orders', topicId: '0e0e0e0e-0000-4000-8000-000000000001' };
const ELSEWHERE = { name: 'elsewhere', topicId: '0e0e0e0e-0000-4000-8000-000000000002', leader: 2 };
const TXN_PRODUCER = 5000n;
const PLAIN_PRODUCER = 6000n;
const READ_UNCOMMITTED = 0;
const READ_COMMITTED = 1;

function fetchRequest(isolationLevel: number, fetchOffset = 0n): RequestOf<typeof Fetch> {
  return {
    clusterId: null,
    replicaId: -1,
    replicaState: { replicaId: -1, replicaEpoch: -1n },
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: ORDERS.name,
        topicId: ZERO_UUID,
        partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

async function fetchOrders(broker: TestBroker, isolationLevel: number, version = 11) {
  const answer = await fetchHandler.handle(fetchRequest(isolationLevel), broker.context(Fetch, version));
  if (answer === NO_RESPONSE) throw new Error('Fetch must be answered');
  return overTheWire(Fetch, version, answer as ResponseOf<typeof Fetch>).responses[0]!.partitions[0]!;
}

async function writeMarker(broker: TestBroker, commit: boolean, topics = [{ name: ORDERS.name, partitionIndexes: [0] }], producerEpoch = 0) {
  const request = { markers: [{ producerId: TXN_PRODUCER, producerEpoch, transactionResult: commit, topics, coordinatorEpoch: 1 }] };
  const answer = await writeTxnMarkersHandler.handle(request, broker.context(WriteTxnMarkers, 1));
  if (answer === NO_RESPONSE) throw new Error('WriteTxnMarkers must be answered');
  return overTheWire(WriteTxnMarkers, 1, answer).markers[0]!;
}

/** orders-0: offset 0 a plain idempotent batch, offsets 1-2 an open transaction. */
async function openTransaction(): Promise<TestBroker> {
  const broker = await testBroker(clusterRecords(ORDERS, ELSEWHERE));
  const { partitions } = broker.services;
  await partitions.appendRecords(ORDERS.name, 0, await producerBatch(['plain'], { producerId: PLAIN_PRODUCER, baseSequence: 0 }), -1, 1000);
  await partitions.appendRecords(ORDERS.name, 0, await producerBatch(['t1', 't2'], { producerId: TXN_PRODUCER, baseSequence: 0, transactional: true }), -1, 1000);
  return broker;
}

describe('read_committed Fetch', () => {
  it('openTransactionHoldsLastStableOffset: read_committed stops before the open transaction; read_uncommitted reads it, with no aborted list', async () => {
    const broker = await openTransaction();
    const committed = await fetchOrders(broker, READ_COMMITTED);
    expect(committed).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 3n, lastStableOffset: 1n, abortedTransactions: [] });
    expect(batchBaseOffsets(committed.records!)).toEqual([0n]);
    const uncommitted = await fetchOrders(broker, READ_UNCOMMITTED);
    expect(uncommitted).toMatchObject({ lastStableOffset: 1n, abortedTransactions: null });
    expect(batchBaseOffsets(uncommitted.records!)).toEqual([0n, 1n]);
  });

  it('abortListsAbortedTransaction: after the abort marker read_committed gets the data, the marker, and the aborted transaction to drop', async () => {
    const broker = await openTransaction();
    expect(await writeMarker(broker, false)).toEqual({ producerId: TXN_PRODUCER, topics: [{ name: ORDERS.name, partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE }] }] });
    for (const version of [4, 11, 12]) {
      const read = await fetchOrders(broker, READ_COMMITTED, version);
      expect({ version, ...read }).toMatchObject({
        version,
        errorCode: 0,
        lastStableOffset: 4n,
        highWatermark: 4n,
        abortedTransactions: [{ producerId: TXN_PRODUCER, firstOffset: 1n }],
      });
      expect(batchBaseOffsets(read.records!)).toEqual([0n, 1n, 3n]);
    }
  });

  it('commitShowsData: after the commit marker read_committed reads the transaction and lists nothing aborted', async () => {
    const broker = await openTransaction();
    await writeMarker(broker, true);
    const read = await fetchOrders(broker, READ_COMMITTED);
    expect(read).toMatchObject({ lastStableOffset: 4n, abortedTransactions: [] });
    expect(batchBaseOffsets(read.records!)).toEqual([0n, 1n, 3n]);
  });

  it('markerErrorsPerPartition: a partition led elsewhere, an unknown one and a stale producer epoch are each answered on their own', async () => {
    const broker = await openTransaction();
    await broker.services.partitions.appendRecords(
      ORDERS.name,
      0,
      await producerBatch(['t3'], { producerId: TXN_PRODUCER, producerEpoch: 1, baseSequence: 0, transactional: true }),
      -1,
      1000,
    );
    const answer = await writeMarker(
      broker,
      true,
      [
        { name: ORDERS.name, partitionIndexes: [0, 9] },
        { name: ELSEWHERE.name, partitionIndexes: [0] },
      ],
      0,
    );
    expect(answer.topics).toEqual([
      {
        name: ORDERS.name,
        partitions: [
          { partitionIndex: 0, errorCode: ErrorCode.INVALID_PRODUCER_EPOCH },
          { partitionIndex: 9, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
        ],
      },
      { name: ELSEWHERE.name, partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER }] },
    ]);
  });
});
