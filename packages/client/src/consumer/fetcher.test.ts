// The consumer's fetch path against scripted brokers: what a Fetch asks for,
// a stale leader followed by KIP-951's hint, OFFSET_OUT_OF_RANGE reset by
// the policy, and a dropped connection retried.
import { randomUUID } from 'node:crypto';
import { encodeRecordBatch, ErrorCode, Fetch, ListOffsets, Metadata, type RequestOf, type ResponseOf } from '@kstream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { stringSerde } from '../serde/index.js';
import { FakeBroker } from '../testing/fake-broker.test-support.js';
import { Consumer } from './consumer.js';
import type { ConsumerOptions } from './consumer-options.js';

type FetchRequest = RequestOf<typeof Fetch>;
type PartitionResponse = ResponseOf<typeof Fetch>['responses'][number]['partitions'][number];

const brokers: FakeBroker[] = [];
const consumers: Consumer<string, string>[] = [];

afterEach(async () => {
  await Promise.allSettled(consumers.splice(0).map((c) => c.close()));
  await Promise.allSettled(brokers.splice(0).map((b) => b.close()));
});

async function broker(options: Parameters<typeof FakeBroker.start>[0]): Promise<FakeBroker> {
  const b = await FakeBroker.start(options);
  brokers.push(b);
  return b;
}

function consumer(bootstrap: FakeBroker, options: Partial<ConsumerOptions<string, string>> = {}): Consumer<string, string> {
  const c = new Consumer<string, string>({
    bootstrap: bootstrap.address,
    valueDeserializer: stringSerde,
    fetchMaxWaitMs: 20,
    retryBackoffMs: 20,
    ...options,
  });
  consumers.push(c);
  return c;
}

function partitionResponse(partitionIndex: number, fields: Partial<PartitionResponse>): PartitionResponse {
  return {
    partitionIndex,
    errorCode: 0,
    highWatermark: 0n,
    lastStableOffset: -1n,
    logStartOffset: 0n,
    divergingEpoch: { epoch: -1, endOffset: -1n },
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
    snapshotId: { endOffset: -1n, epoch: -1 },
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: null,
    ...fields,
  };
}

/** A Fetch response answering every partition asked for with `answer`. */
function fetchResponse(request: FetchRequest, answer: (topic: string, partition: number, fetchOffset: bigint) => Partial<PartitionResponse>, extra: Partial<ResponseOf<typeof Fetch>> = {}): ResponseOf<typeof Fetch> {
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: request.topics.map((t) => ({
      topic: t.topic,
      topicId: t.topicId,
      partitions: t.partitions.map((p) => partitionResponse(p.partition, answer(t.topic, p.partition, p.fetchOffset))),
    })),
    nodeEndpoints: [],
    ...extra,
  };
}

async function records(baseOffset: bigint, values: readonly string[]): Promise<Buffer> {
  return encodeRecordBatch({ baseOffset, records: values.map((v) => ({ key: null, value: Buffer.from(v) })) });
}

async function pollValues(c: Consumer<string, string>, count: number): Promise<string[]> {
  const got: string[] = [];
  const deadline = Date.now() + 5_000;
  while (got.length < count && Date.now() < deadline) {
    for (const batch of await c.poll({ timeoutMs: 100 })) got.push(...batch.records.map((r) => r.value!));
  }
  return got;
}

describe('consumer fetch path', () => {
  it('fetchCarriesTheConsumersOptions: isolation level, sizes, wait, leader epoch', async () => {
    const b = await broker({
      nodeId: 1,
      topics: { t: 2 },
      handlers: {
        [Fetch.apiKey]: async (request: FetchRequest) => {
          const data = await records(0n, ['a', 'b']);
          return fetchResponse(request, (_t, partition) => (partition === 0 ? { records: data, highWatermark: 2n } : {}));
        },
      },
    });
    const c = consumer(b, { isolationLevel: 'read_committed', fetchMinBytes: 10, fetchMaxBytes: 100_000, maxPartitionFetchBytes: 5_000 });
    c.assign([{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]);
    c.seek({ topic: 't', partition: 0 }, 0n);
    c.seek({ topic: 't', partition: 1 }, 7n);
    expect(await pollValues(c, 2)).toEqual(['a', 'b']);
    const [first] = b.requestsOf(Fetch.apiKey);
    // No topic id in the metadata: the last version that names topics.
    expect(first!.version).toBe(12);
    expect(first!.body).toMatchObject({
      replicaId: -1,
      maxWaitMs: 20,
      minBytes: 10,
      maxBytes: 100_000,
      isolationLevel: 1,
      topics: [{ topic: 't', partitions: [
        { partition: 0, fetchOffset: 0n, currentLeaderEpoch: 0, partitionMaxBytes: 5_000 },
        { partition: 1, fetchOffset: 7n, currentLeaderEpoch: 0, partitionMaxBytes: 5_000 },
      ] }],
    });
    expect(c.position({ topic: 't', partition: 0 })).toBe(2n);
  });

  it('staleLeaderFollowsTheKip951Hint: the next fetch goes to the leader the error names', async () => {
    const topicId = randomUUID();
    const data = await records(0n, ['from-new-leader']);
    const newLeader = await broker({
      nodeId: 2,
      handlers: { [Fetch.apiKey]: (request: FetchRequest) => fetchResponse(request, () => ({ records: data, highWatermark: 1n })) },
    });
    const old: FakeBroker = await broker({
      nodeId: 1,
      topics: { t: 1 },
      handlers: {
        [Metadata.apiKey]: (request: RequestOf<typeof Metadata>) => {
          const response = old.metadataResponse(request);
          for (const topic of response.topics) topic.topicId = topicId;
          return response;
        },
        [Fetch.apiKey]: (request: FetchRequest) =>
          fetchResponse(request, () => ({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, currentLeader: { leaderId: 2, leaderEpoch: 1 } }), {
            nodeEndpoints: [{ nodeId: 2, host: newLeader.host, port: newLeader.port, rack: null }],
          }),
      },
    });
    const c = consumer(old);
    c.assign([{ topic: 't', partition: 0 }]);
    c.seek({ topic: 't', partition: 0 }, 0n);
    expect(await pollValues(c, 1)).toEqual(['from-new-leader']);
    expect(old.requestsOf(Fetch.apiKey)[0]!.version).toBe(16);
    expect(newLeader.requestsOf(Fetch.apiKey)[0]!.body.topics[0].partitions[0]).toMatchObject({ fetchOffset: 0n, currentLeaderEpoch: 1 });
  });

  it('offsetOutOfRangeResetByThePolicy: ListOffsets earliest, then fetching from there', async () => {
    const data = await records(5n, ['five']);
    const b = await broker({
      nodeId: 1,
      topics: { t: 1 },
      handlers: {
        [Fetch.apiKey]: (request: FetchRequest) =>
          fetchResponse(request, (_t, _p, fetchOffset) => (fetchOffset < 5n ? { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE } : { records: data, highWatermark: 6n })),
        [ListOffsets.apiKey]: (request: RequestOf<typeof ListOffsets>) => ({
          throttleTimeMs: 0,
          topics: request.topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0, oldStyleOffsets: [], timestamp: -1n, offset: 5n, leaderEpoch: 0 })),
          })),
        }),
      },
    });
    const c = consumer(b, { autoOffsetReset: 'earliest' });
    c.assign([{ topic: 't', partition: 0 }]);
    c.seek({ topic: 't', partition: 0 }, 1n);
    expect(await pollValues(c, 1)).toEqual(['five']);
    expect(b.requestsOf(ListOffsets.apiKey).map((r) => r.body.topics[0].partitions[0].timestamp)).toEqual([-2n]);
  });

  it('droppedConnectionRetried: the fetch is sent again after the backoff', async () => {
    const data = await records(0n, ['after-reconnect']);
    let fetches = 0;
    const b = await broker({
      nodeId: 1,
      topics: { t: 1 },
      handlers: {
        [Fetch.apiKey]: (request: FetchRequest, _version: number, _header: unknown, socket: { destroy(): void }) => {
          if (fetches++ === 0) {
            socket.destroy();
            return undefined;
          }
          return fetchResponse(request, () => ({ records: data, highWatermark: 1n }));
        },
      },
    });
    const c = consumer(b);
    c.assign([{ topic: 't', partition: 0 }]);
    c.seek({ topic: 't', partition: 0 }, 0n);
    expect(await pollValues(c, 1)).toEqual(['after-reconnect']);
    expect(fetches).toBeGreaterThanOrEqual(2);
  });
});
