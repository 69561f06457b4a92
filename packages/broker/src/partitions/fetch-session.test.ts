import { describe, expect, it } from 'vitest';
import { ErrorCode, ZERO_UUID } from '@kstream/protocol';
import { newFetchContext, type FetchSessionRequest } from './fetch-context.js';
import { FetchSessionCache } from './fetch-session-cache.js';
import type { FetchPartitionParams } from './fetch-session.js';
import { assignment, batch, openManager } from './partitions.test-support.js';
import type { ReplicaManager } from './replica-manager.js';

function part(topic: string, fetchOffset = 0n, partition = 0, topicId = ZERO_UUID): FetchPartitionParams {
  return { topic, topicId, partition, fetchOffset, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 };
}

function request(sessionId: number, sessionEpoch: number, partitions: FetchPartitionParams[], forgotten: FetchPartitionParams[] = []): FetchSessionRequest {
  return { sessionId, sessionEpoch, partitions, forgotten, usesTopicIds: false };
}

function cache(options: Partial<ConstructorParameters<typeof FetchSessionCache>[0]> = {}) {
  let now = 0;
  let nextId = 100;
  const sessions = new FetchSessionCache({ maxSlots: 1000, maxPartitions: 1_000_000, evictionMs: 120_000, clock: () => now, newId: () => nextId++, ...options });
  return { sessions, advance: (ms: number) => void (now += ms) };
}

/** One fetch through a session context against a real manager: the session id and the partitions the response carries. */
async function fetchThrough(manager: ReplicaManager, sessions: FetchSessionCache, req: FetchSessionRequest) {
  const context = newFetchContext(sessions, req);
  if (context.errorCode !== 0) return { errorCode: context.errorCode, sessionId: 0, carried: [] as string[] };
  const results = await manager.fetchMessages({ maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, readCommitted: false, partitions: context.partitions });
  const { sessionId, partitions } = context.respond(results);
  return {
    errorCode: 0,
    sessionId,
    carried: partitions.map((p) => `${p.params.topic}-${p.params.partition}@${p.params.fetchOffset}:${p.result.records.length > 0 ? 'data' : 'empty'}`),
  };
}

describe('Fetch sessions (KIP-227)', () => {
  it('fullThenIncremental: epoch 0 opens a session; incremental fetches carry only partitions with news', async () => {
    const manager = await openManager();
    for (const topic of ['a', 'b', 'c']) await manager.applyAssignment(assignment(topic));
    await manager.appendRecords('a', 0, await batch(['1']), 1, 1000);
    const { sessions } = cache();

    const full = await fetchThrough(manager, sessions, request(0, 0, [part('a'), part('b'), part('c')]));
    expect(full.sessionId).toBe(100);
    expect(full.carried).toEqual(['a-0@0:data', 'b-0@0:empty', 'c-0@0:empty']);

    // Nothing new: an incremental fetch (the client moved a's offset past what it got) carries nothing.
    const quiet = await fetchThrough(manager, sessions, request(100, 1, [part('a', 1n)]));
    expect(quiet.carried).toEqual([]);

    await manager.appendRecords('b', 0, await batch(['2']), 1, 1000);
    const news = await fetchThrough(manager, sessions, request(100, 2, []));
    expect(news.sessionId).toBe(100);
    expect(news.carried).toEqual(['b-0@0:data']);
  });

  it('incrementalAddAndForget: added partitions are carried at once; forgotten ones are no longer fetched', async () => {
    const manager = await openManager();
    for (const topic of ['a', 'b', 'c']) await manager.applyAssignment(assignment(topic));
    const { sessions } = cache();
    await fetchThrough(manager, sessions, request(0, 0, [part('a'), part('b')]));
    const added = await fetchThrough(manager, sessions, request(100, 1, [part('c')], [part('a')]));
    expect(added.carried).toEqual(['c-0@0:empty']);
    expect([...sessions.get(100)!.partitions.keys()]).toEqual(['b:0', 'c:0']);
    await manager.appendRecords('a', 0, await batch(['ignored']), 1, 1000);
    expect((await fetchThrough(manager, sessions, request(100, 2, []))).carried).toEqual([]);
  });

  it('errorsAlwaysCarried: a partition in error is in every incremental response until the error clears, then once more', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment('a'));
    const { sessions } = cache();
    await fetchThrough(manager, sessions, request(0, 0, [part('a'), part('gone')]));
    expect((await fetchThrough(manager, sessions, request(100, 1, []))).carried).toEqual(['gone-0@0:empty']);
    expect((await fetchThrough(manager, sessions, request(100, 2, []))).carried).toEqual(['gone-0@0:empty']);
    await manager.applyAssignment(assignment('gone'));
    expect((await fetchThrough(manager, sessions, request(100, 3, []))).carried).toEqual(['gone-0@0:empty']);
    expect((await fetchThrough(manager, sessions, request(100, 4, []))).carried).toEqual([]);
  });

  it('sessionErrors: an unknown id is FETCH_SESSION_ID_NOT_FOUND, a wrong epoch INVALID_FETCH_SESSION_EPOCH, topic-id use must not change', () => {
    const { sessions } = cache();
    const opened = newFetchContext(sessions, request(0, 0, [part('a')]));
    expect(opened.respond([{ errorCode: 0, highWatermark: 0n, lastStableOffset: 0n, logStartOffset: 0n, records: Buffer.alloc(0), abortedTransactions: null }]).sessionId).toBe(
      100,
    );
    expect(newFetchContext(sessions, request(555, 1, [])).errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    expect(newFetchContext(sessions, request(100, 2, [])).errorCode).toBe(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    expect(newFetchContext(sessions, { ...request(100, 1, []), usesTopicIds: true }).errorCode).toBe(ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR);
    // The errors did not consume the epoch.
    expect(newFetchContext(sessions, request(100, 1, [])).kind).toBe('incremental');
  });

  it('finalEpochCloses: epoch -1 removes the session and fetches without one; v4–6 requests never open one', () => {
    const { sessions } = cache();
    newFetchContext(sessions, request(0, 0, [part('a')])).respond([
      { errorCode: 0, highWatermark: 0n, lastStableOffset: 0n, logStartOffset: 0n, records: Buffer.alloc(0), abortedTransactions: null },
    ]);
    const closing = newFetchContext(sessions, request(100, -1, [part('a')]));
    expect(closing.kind).toBe('sessionless');
    expect(closing.respond([{ errorCode: 0, highWatermark: 0n, lastStableOffset: 0n, logStartOffset: 0n, records: Buffer.alloc(0), abortedTransactions: null }]).sessionId).toBe(0);
    expect(sessions.size).toBe(0);
  });

  it('epochWraps: after 2^31-1 the next expected epoch is 1', () => {
    const { sessions } = cache();
    newFetchContext(sessions, request(0, 0, [part('a')])).respond([
      { errorCode: 0, highWatermark: 0n, lastStableOffset: 0n, logStartOffset: 0n, records: Buffer.alloc(0), abortedTransactions: null },
    ]);
    sessions.get(100)!.epoch = 0x7fffffff;
    expect(newFetchContext(sessions, request(100, 0x7fffffff, [])).kind).toBe('incremental');
    expect(sessions.get(100)!.epoch).toBe(1);
  });
});

describe('FetchSessionCache', () => {
  const empty = { errorCode: 0, highWatermark: 0n, lastStableOffset: 0n, logStartOffset: 0n, records: Buffer.alloc(0), abortedTransactions: null };

  function open(sessions: FetchSessionCache, partitionCount: number): number {
    const partitions = Array.from({ length: partitionCount }, (_, i) => part('t', 0n, i));
    return newFetchContext(sessions, request(0, 0, partitions)).respond(partitions.map(() => empty)).sessionId;
  }

  it('fullCacheRefusesEqualSession: with every slot taken by recent sessions no bigger, a new one gets id 0', () => {
    const { sessions } = cache({ maxSlots: 2 });
    expect(open(sessions, 3)).toBe(100);
    expect(open(sessions, 3)).toBe(101);
    expect(open(sessions, 3)).toBe(0);
    expect(sessions.size).toBe(2);
  });

  it('evictsStaleFirst: the least recently used session idle for the eviction time gives up its slot', () => {
    const { sessions, advance } = cache({ maxSlots: 2, evictionMs: 1000 });
    const first = open(sessions, 5);
    advance(600);
    const second = open(sessions, 5);
    advance(500);
    // first is 1100 ms idle, second 500 ms; touching second again keeps it.
    expect(open(sessions, 1)).toBe(102);
    expect(sessions.get(first)).toBeUndefined();
    expect(sessions.get(second)).toBeDefined();
  });

  it("evictsSmallestForBigger: with no stale session, a bigger session takes the smallest one's slot", () => {
    const { sessions } = cache({ maxSlots: 2 });
    const small = open(sessions, 1);
    const large = open(sessions, 10);
    expect(open(sessions, 5)).toBe(102);
    expect(sessions.get(small)).toBeUndefined();
    expect(sessions.get(large)).toBeDefined();
  });

  it('touchKeepsSessionsAlive: an incremental fetch makes a session the most recently used', () => {
    const { sessions, advance } = cache({ maxSlots: 2, evictionMs: 1000 });
    const first = open(sessions, 1);
    const second = open(sessions, 1);
    advance(2000);
    newFetchContext(sessions, request(first, 1, []));
    expect(open(sessions, 1)).toBe(102);
    expect(sessions.get(first)).toBeDefined();
    expect(sessions.get(second)).toBeUndefined();
  });

  it('partitionBudgetRefusesFullFetch: a full fetch of more partitions than max.incremental.fetch.session.cache.partitions gets no session', () => {
    const { sessions } = cache({ maxPartitions: 5 });
    expect(open(sessions, 6)).toBe(0);
    expect(open(sessions, 3)).toBe(100);
    expect(open(sessions, 3)).toBe(0);
    expect(sessions.size).toBe(1);
    expect(sessions.partitionCount).toBe(3);
  });

  it('partitionBudgetEvictsIdleThenSmaller: room is made from idle sessions first, then smaller ones, or not at all', () => {
    const { sessions, advance } = cache({ maxPartitions: 10, evictionMs: 1000 });
    const idle = open(sessions, 4);
    advance(2000);
    const small = open(sessions, 2);
    const medium = open(sessions, 4);
    expect(open(sessions, 3)).toBe(103);
    expect(sessions.get(idle)).toBeUndefined();
    expect(open(sessions, 5)).toBe(104);
    expect([small, 103].map((id) => sessions.get(id))).toEqual([undefined, undefined]);
    expect(sessions.get(medium)).toBeDefined();
    expect(open(sessions, 4)).toBe(0);
    expect(sessions.size).toBe(2);
    expect(sessions.partitionCount).toBe(9);
  });

  it('growthPastBudgetDropsSession: an incremental fetch growing its session past the budget is FETCH_SESSION_ID_NOT_FOUND', () => {
    const { sessions } = cache({ maxPartitions: 3 });
    const id = open(sessions, 2);
    expect(newFetchContext(sessions, request(id, 1, [part('t', 0n, 2)])).errorCode).toBe(ErrorCode.NONE);
    expect(sessions.partitionCount).toBe(3);
    expect(newFetchContext(sessions, request(id, 2, [part('t', 0n, 3)])).errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    expect(sessions.get(id)).toBeUndefined();
    expect(sessions.partitionCount).toBe(0);
    expect(open(sessions, 3)).toBe(101);
  });

  it('zeroSlots: max.incremental.fetch.session.cache.slots=0 disables sessions', () => {
    const { sessions } = cache({ maxSlots: 0 });
    expect(open(sessions, 1)).toBe(0);
  });
});
