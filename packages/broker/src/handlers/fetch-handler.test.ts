import { describe, expect, it } from 'vitest';
import { ErrorCode, Fetch, ZERO_UUID, readBatchHeader, type RequestOf, type ResponseOf } from '@kstream/protocol';
import { clusterRecords, overTheWire, testBroker, type TestBroker } from '../partitions/broker-services.test-support.js';
import { batch } from '../partitions/partitions.test-support.js';
import { fetchHandler } from './fetch-handler.js';

const ORDERS = { name: 'orders', topicId: '0b0b0b0b-0000-4000-8000-000000000001', partitions: 2 };
const ELSEWHERE = { name: 'elsewhere', topicId: '0b0b0b0b-0000-4000-8000-000000000002', leader: 2, leaderEpoch: 4 };

interface PartitionSpec {
  topic: string;
  topicId?: string;
  partition?: number;
  fetchOffset?: bigint;
}

function fetchRequest(partitions: PartitionSpec[], fields: Partial<RequestOf<typeof Fetch>> = {}): RequestOf<typeof Fetch> {
  return {
    clusterId: null,
    replicaId: -1,
    replicaState: { replicaId: -1, replicaEpoch: -1n },
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: partitions.map((p) => ({
      topic: p.topic,
      topicId: p.topicId ?? ZERO_UUID,
      partitions: [
        { partition: p.partition ?? 0, currentLeaderEpoch: -1, fetchOffset: p.fetchOffset ?? 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 },
      ],
    })),
    forgottenTopicsData: [],
    rackId: '',
    ...fields,
  };
}

async function fetch(broker: TestBroker, version: number, request: RequestOf<typeof Fetch>): Promise<ResponseOf<typeof Fetch>> {
  const answer = await fetchHandler.handle(request, broker.context(Fetch, version));
  if (typeof answer === 'symbol') throw new Error('Fetch is always answered');
  return overTheWire(Fetch, version, answer);
}

async function produced(broker: TestBroker, values: string[], partition = 0): Promise<void> {
  const answer = await broker.services.partitions.appendRecords('orders', partition, await batch(values), 1, 1000);
  expect(answer.errorCode).toBe(0);
}

describe('Fetch handler', () => {
  it('everyVersion: v4–12 name topics, v13+ topic ids; records come back as stored', async () => {
    const broker = await testBroker(clusterRecords(ORDERS));
    await produced(broker, ['a', 'b']);
    await produced(broker, ['c']);
    for (let version = 4; version <= 16; version++) {
      const spec = version >= 13 ? { topic: '', topicId: ORDERS.topicId, fetchOffset: 2n } : { topic: 'orders', fetchOffset: 2n };
      const response = await fetch(broker, version, fetchRequest([spec]));
      const [topic] = response.responses;
      expect(version >= 13 ? topic!.topicId : topic!.topic).toBe(version >= 13 ? ORDERS.topicId : 'orders');
      const [data] = topic!.partitions;
      expect(data).toMatchObject({ partitionIndex: 0, errorCode: 0, highWatermark: 3n, lastStableOffset: 3n, logStartOffset: version >= 5 ? 0n : -1n });
      expect(readBatchHeader(data!.records!)).toMatchObject({ baseOffset: 2n, lastOffsetDelta: 0 });
    }
  });

  it('unknownTopicId: v13+ answers UNKNOWN_TOPIC_ID for an id metadata does not know', async () => {
    const broker = await testBroker(clusterRecords(ORDERS));
    const unknown = '0b0b0b0b-0000-4000-8000-0000000000ff';
    const response = await fetch(broker, 13, fetchRequest([{ topic: '', topicId: unknown }]));
    expect(response.responses[0]).toMatchObject({ topicId: unknown });
    expect(response.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
  });

  it('notLeader: a partition led elsewhere is NOT_LEADER_OR_FOLLOWER, v12+ with the current leader, v16 with its endpoint', async () => {
    const broker = await testBroker(clusterRecords(ORDERS, ELSEWHERE));
    const response = await fetch(broker, 16, fetchRequest([{ topic: '', topicId: ELSEWHERE.topicId }]));
    expect(response.responses[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, currentLeader: { leaderId: 2, leaderEpoch: 4 } });
    expect(response.nodeEndpoints).toEqual([{ nodeId: 2, host: '127.0.0.1', port: 9093, rack: null }]);
  });

  it('sessionOverTheWire: epoch 0 opens a session; an incremental fetch with nothing new is empty; with news, only that partition', async () => {
    const broker = await testBroker(clusterRecords(ORDERS));
    const both = [
      { topic: 'orders', partition: 0 },
      { topic: 'orders', partition: 1 },
    ];
    const full = await fetch(broker, 12, fetchRequest(both, { sessionId: 0, sessionEpoch: 0 }));
    expect(full.sessionId).toBeGreaterThan(0);
    expect(full.responses[0]!.partitions.map((p) => p.partitionIndex)).toEqual([0, 1]);
    const quiet = await fetch(broker, 12, fetchRequest([], { sessionId: full.sessionId, sessionEpoch: 1 }));
    expect(quiet).toMatchObject({ errorCode: 0, sessionId: full.sessionId, responses: [] });
    await produced(broker, ['x'], 1);
    const news = await fetch(broker, 12, fetchRequest([], { sessionId: full.sessionId, sessionEpoch: 2 }));
    expect(news.responses.map((t) => t.partitions.map((p) => [p.partitionIndex, p.highWatermark]))).toEqual([[[1, 1n]]]);
  });

  it('sessionErrors: an unknown session and a wrong epoch are top-level errors with no partitions', async () => {
    const broker = await testBroker(clusterRecords(ORDERS));
    expect(await fetch(broker, 7, fetchRequest([], { sessionId: 12345, sessionEpoch: 3 }))).toMatchObject({
      errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND,
      sessionId: 0,
      responses: [],
    });
    const full = await fetch(broker, 7, fetchRequest([{ topic: 'orders' }], { sessionEpoch: 0 }));
    expect(await fetch(broker, 7, fetchRequest([], { sessionId: full.sessionId, sessionEpoch: 5 }))).toMatchObject({
      errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH,
      responses: [],
    });
  });

  it('fullFetchOverPartitionBudget: more partitions than max.incremental.fetch.session.cache.partitions are answered without a session', async () => {
    const broker = await testBroker(clusterRecords(ORDERS), { 'max.incremental.fetch.session.cache.partitions': '2' });
    const madeUp = Array.from({ length: 3 }, (_, i) => ({ topic: `made-up-${i}` }));
    const response = await fetch(broker, 12, fetchRequest(madeUp, { sessionId: 0, sessionEpoch: 0 }));
    expect(response).toMatchObject({ errorCode: 0, sessionId: 0 });
    expect(response.responses.map((t) => [t.topic, t.partitions[0]!.errorCode])).toEqual(madeUp.map(({ topic }) => [topic, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]));
    expect(broker.services.partitions.fetchSessions.size).toBe(0);
    expect(broker.services.partitions.fetchSessions.partitionCount).toBe(0);
  });

  it('readCommitted: abortedTransactions is an empty list under read_committed and null under read_uncommitted', async () => {
    const broker = await testBroker(clusterRecords(ORDERS));
    const committed = await fetch(broker, 11, fetchRequest([{ topic: 'orders' }], { isolationLevel: 1 }));
    const uncommitted = await fetch(broker, 11, fetchRequest([{ topic: 'orders' }], { isolationLevel: 0 }));
    expect(committed.responses[0]!.partitions[0]!.abortedTransactions).toEqual([]);
    expect(uncommitted.responses[0]!.partitions[0]!.abortedTransactions).toBeNull();
  });

  it('hugeMaxBytesClampedToFetchMaxBytes: a maxBytes of 2^31-1 reads no more than fetch.max.bytes', async () => {
    const broker = await testBroker(clusterRecords(ORDERS), { 'fetch.max.bytes': '1024' });
    for (const value of ['a', 'b', 'c']) await produced(broker, [value.repeat(600)]);
    const huge = 2 ** 31 - 1;
    const request = fetchRequest([{ topic: 'orders' }], { maxBytes: huge });
    request.topics[0]!.partitions[0]!.partitionMaxBytes = huge;
    const records = (await fetch(broker, 11, request)).responses[0]!.partitions[0]!.records!;
    // The first batch alone (each is over 600 bytes): the second would take the response past 1024.
    expect(records.length).toBeGreaterThan(600);
    expect(records.length).toBeLessThan(1024);
  });

  it('longPollThroughHandler: a fetch waiting on minBytes answers when a produce lands', async () => {
    const broker = await testBroker(clusterRecords(ORDERS));
    const started = Date.now();
    const parked = fetch(broker, 11, fetchRequest([{ topic: 'orders' }], { maxWaitMs: 10_000, minBytes: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await produced(broker, ['late']);
    const response = await parked;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(readBatchHeader(response.responses[0]!.partitions[0]!.records!)).toMatchObject({ baseOffset: 0n });
  });
});
