import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@kstream/protocol';
import type { ReplicaFetchPartition, ReplicaFetchPartitionResult, ReplicaFetchRequest } from './messages.js';
import { ReplicaFetchSessions, type ReplicaFetchSession } from './replica-fetch-session.js';

function fetchOf(partition: number, fetchOffset = 0n, epochs: Partial<ReplicaFetchPartition> = {}): ReplicaFetchPartition {
  return { topic: 'orders', partition, fetchOffset, currentLeaderEpoch: 0, lastFetchedEpoch: -1, ...epochs };
}

function request(sessionId: number, sessionEpoch: number, partitions: ReplicaFetchPartition[], forgotten: string[] = [], replicaId = 2): ReplicaFetchRequest {
  return { type: 'ReplicaFetch', replicaId, maxWaitMs: 0, maxBytes: 1 << 20, partitionMaxBytes: 1 << 20, sessionId, sessionEpoch, partitions, forgotten };
}

function result(partition: number, offsets: { highWatermark?: bigint; logStartOffset?: bigint; records?: number; errorCode?: number } = {}): ReplicaFetchPartitionResult {
  return {
    topic: 'orders',
    partition,
    errorCode: offsets.errorCode ?? ErrorCode.NONE,
    highWatermark: offsets.highWatermark ?? 0n,
    logStartOffset: offsets.logStartOffset ?? 0n,
    logEndOffset: 0n,
    divergingEpoch: null,
    records: new Uint8Array(offsets.records ?? 0),
  };
}

function opened(sessions: ReplicaFetchSessions, partitions: ReplicaFetchPartition[]): ReplicaFetchSession {
  const session = sessions.sessionFor(request(0, 0, partitions));
  if (typeof session === 'number') throw new Error(`refused with ${session}`);
  return session;
}

/** Tells the follower each partition's result as a reply would, returning the ones carried. */
function reply(session: ReplicaFetchSession, results: ReplicaFetchPartitionResult[]): string[] {
  const carried: string[] = [];
  for (const r of results) {
    const cached = session.partitions.get(`orders-${r.partition}`)!;
    if (!session.mustCarry(cached, r)) continue;
    session.carried(cached, r);
    carried.push(cached.key);
  }
  return carried;
}

describe('ReplicaFetchSessions', () => {
  it('epochZeroOpensASessionThatReplacesTheFollowersOld; a wrong id or epoch is refused with Kafka codes', () => {
    const sessions = new ReplicaFetchSessions();
    const first = opened(sessions, [fetchOf(0), fetchOf(1)]);
    expect([...first.partitions.keys()]).toEqual(['orders-0', 'orders-1']);
    expect(first.epoch).toBe(1);
    expect(sessions.sessionFor(request(first.id, 1, []))).toBe(first);
    expect(first.epoch).toBe(2);

    const second = opened(sessions, [fetchOf(2)]);
    expect(second.id).not.toBe(first.id);
    expect(sessions.of(2)).toBe(second);
    // The follower's old session is gone; another follower's ids are its own.
    expect(sessions.sessionFor(request(first.id, 2, []))).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    expect(sessions.sessionFor(request(second.id, 1, [], [], 3))).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    // A replayed epoch (a lost reply) drops the session: the follower opens another.
    expect(sessions.sessionFor(request(second.id, 1, []))).toBe(second);
    expect(sessions.sessionFor(request(second.id, 1, []))).toBe(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    expect(sessions.of(2)).toBeUndefined();
  });

  it('incrementalRequestsAddUpdateAndForget: the session holds what the follower last asked', () => {
    const sessions = new ReplicaFetchSessions();
    const session = opened(sessions, [fetchOf(0), fetchOf(1)]);
    const keysBefore = session.keys;
    sessions.sessionFor(request(session.id, 1, [fetchOf(1, 7n), fetchOf(2, 3n)], ['orders-0']));
    expect([...session.partitions.values()].map((p) => [p.key, p.fetchOffset])).toEqual([
      ['orders-1', 7n],
      ['orders-2', 3n],
    ]);
    expect(keysBefore).toEqual(['orders-0', 'orders-1']);
    expect(session.keys).toEqual(['orders-1', 'orders-2']);
  });

  it('repliesCarryOnlyNews: records, errors and offsets not yet told; an error is told again once it clears', () => {
    const session = opened(new ReplicaFetchSessions(), [fetchOf(0), fetchOf(1), fetchOf(2)]);
    // The opening reply tells every partition.
    expect(reply(session, [result(0), result(1), result(2)])).toEqual(['orders-0', 'orders-1', 'orders-2']);
    expect(reply(session, [result(0), result(1), result(2)])).toEqual([]);
    expect(reply(session, [result(0, { records: 10 }), result(1, { highWatermark: 5n }), result(2, { logStartOffset: 1n })])).toEqual(['orders-0', 'orders-1', 'orders-2']);
    expect(reply(session, [result(0), result(1, { highWatermark: 5n }), result(2, { logStartOffset: 1n })])).toEqual([]);
    expect(reply(session, [result(0, { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER })])).toEqual(['orders-0']);
    expect(reply(session, [result(0)])).toEqual(['orders-0']);
    expect(reply(session, [result(0)])).toEqual([]);
  });

  it('aFetchThatWentBackIsToldAgain: a truncation or a new epoch, not the fetch offset moving on', () => {
    const sessions = new ReplicaFetchSessions();
    const session = opened(sessions, [fetchOf(0, 10n), fetchOf(1, 10n), fetchOf(2, 10n)]);
    reply(session, [result(0, { highWatermark: 10n }), result(1, { highWatermark: 10n }), result(2, { highWatermark: 10n })]);
    sessions.sessionFor(request(session.id, 1, [fetchOf(0, 12n), fetchOf(1, 4n), fetchOf(2, 10n, { currentLeaderEpoch: 1, lastFetchedEpoch: 0 })]));
    expect(reply(session, [result(0, { highWatermark: 10n }), result(1, { highWatermark: 10n }), result(2, { highWatermark: 10n })])).toEqual(['orders-1', 'orders-2']);
  });

  it('carriedPartitionsMoveToTheEnd: a reply capped by maxBytes serves every partition in turn', () => {
    const session = opened(new ReplicaFetchSessions(), [fetchOf(0), fetchOf(1), fetchOf(2)]);
    reply(session, [result(0), result(1), result(2)]);
    reply(session, [result(0, { records: 1 })]);
    expect([...session.partitions.keys()]).toEqual(['orders-1', 'orders-2', 'orders-0']);
  });
});
