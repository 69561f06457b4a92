// The consumer's fetch path against scripted brokers: what a Fetch asks for,
// a stale leader followed by KIP-951's hint, OFFSET_OUT_OF_RANGE reset by
// the policy, and a dropped connection retried.
import { randomUUID } from 'node:crypto';
import { encodeEndTxnMarkerBatch, encodeRecordBatch, ErrorCode, Fetch, ListOffsets, Metadata, type RequestOf } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import type { FakeBroker } from '../testing/fake-broker.test-support.js';
import { broker, consumer, fetchResponse, pollValues, records, type FetchRequest } from './fake-fetch.test-support.js';

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
    c.assign([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
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
      topics: [
        {
          topic: 't',
          partitions: [
            { partition: 0, fetchOffset: 0n, currentLeaderEpoch: 0, partitionMaxBytes: 5_000 },
            { partition: 1, fetchOffset: 7n, currentLeaderEpoch: 0, partitionMaxBytes: 5_000 },
          ],
        },
      ],
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

  it('readCommittedDropsTheAbortedTransactionsTheResponseLists', async () => {
    const txn = (producerId: bigint, baseOffset: bigint, value: string) =>
      encodeRecordBatch({ baseOffset, producerId, producerEpoch: 0, baseSequence: 0, isTransactional: true, records: [{ key: null, value: Buffer.from(value) }] });
    const data = Buffer.concat([
      await txn(1n, 0n, 'aborted'),
      await txn(2n, 1n, 'committed'),
      await encodeEndTxnMarkerBatch({ commit: false, producerId: 1n, producerEpoch: 0, coordinatorEpoch: 0, baseOffset: 2n }),
      await encodeEndTxnMarkerBatch({ commit: true, producerId: 2n, producerEpoch: 0, coordinatorEpoch: 0, baseOffset: 3n }),
    ]);
    const b = await broker({
      nodeId: 1,
      topics: { t: 1 },
      handlers: {
        [Fetch.apiKey]: (request: FetchRequest) =>
          fetchResponse(request, (_t, _p, fetchOffset) =>
            fetchOffset === 0n ? { records: data, highWatermark: 4n, lastStableOffset: 4n, abortedTransactions: [{ producerId: 1n, firstOffset: 0n }] } : {},
          ),
      },
    });
    const c = consumer(b, { isolationLevel: 'read_committed' });
    const tp = { topic: 't', partition: 0 };
    c.assign([tp]);
    c.seek(tp, 0n);
    expect(await pollValues(c, 1)).toEqual(['committed']);
    // Past both markers: nothing of the partition is fetched twice.
    expect(c.position(tp)).toBe(4n);
  });

  it('corruptDataReportedOnceAndNotFetchedAgainUntilASeekPastIt', async () => {
    const corrupt = await records(0n, ['bad']);
    corrupt[corrupt.length - 1]! ^= 0xff;
    const good = await records(1n, ['good']);
    const b = await broker({
      nodeId: 1,
      topics: { t: 1 },
      handlers: {
        [Fetch.apiKey]: (request: FetchRequest) => fetchResponse(request, (_t, _p, fetchOffset) => (fetchOffset === 0n ? { records: corrupt } : { records: good })),
      },
    });
    const c = consumer(b);
    const tp = { topic: 't', partition: 0 };
    c.assign([tp]);
    c.seek(tp, 0n);
    await expect(pollValues(c, 1)).rejects.toThrow(/corrupt record data for t-0 at fetch offset 0 from broker 1 .*bad-crc/);
    expect(await c.poll({ timeoutMs: 200 })).toEqual([]);
    expect(b.requestsOf(Fetch.apiKey)).toHaveLength(1);
    c.seek(tp, 1n);
    expect(await pollValues(c, 1)).toEqual(['good']);
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
