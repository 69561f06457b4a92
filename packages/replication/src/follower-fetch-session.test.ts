import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@kstream/protocol';
import { FollowerFetchSession, type SessionMember } from './follower-fetch-session.js';
import type { Partition } from './partition.js';

/** A followed partition as the session reads it: its name, log end offset and latest epoch. */
function member(partition: number, logEndOffset = 0n, leaderEpoch = 0): SessionMember & { log: { logEndOffset: bigint; latestEpoch: number | undefined } } {
  const log = { logEndOffset, latestEpoch: undefined as number | undefined };
  const view = {
    topic: 'orders',
    partition,
    name: `orders-${partition}`,
    get logEndOffset() {
      return log.logEndOffset;
    },
    log: { leaderEpochCache: { latestEpoch: () => log.latestEpoch } },
  };
  return { partition: view as unknown as Partition, leaderEpoch, sent: undefined, sentIn: 0, log };
}

const ok = (sessionId: number) => ({ errorCode: ErrorCode.NONE, sessionId, partitions: [] });
const named = (request: { partitions: readonly { topic: string; partition: number; fetchOffset: bigint }[] }) =>
  request.partitions.map((p) => `${p.topic}-${p.partition}@${p.fetchOffset}`);

describe('FollowerFetchSession', () => {
  it('opensWithEveryPartitionThenSendsOnlyChangesAndForgets', () => {
    const session = new FollowerFetchSession();
    const [a, b, c] = [member(0), member(1), member(2)];
    const first = session.build([a, b, c]);
    expect(first).toMatchObject({ sessionId: 0, sessionEpoch: 0, forgotten: [] });
    expect(named(first)).toEqual(['orders-0@0', 'orders-1@0', 'orders-2@0']);
    expect(session.replied(ok(9))).toBe(true);

    // Nothing changed: an empty incremental request in session 9, epoch 1.
    expect(session.build([a, b, c])).toEqual({ sessionId: 9, sessionEpoch: 1, partitions: [], forgotten: [] });
    session.replied(ok(9));

    a.log.logEndOffset = 5n;
    b.log.latestEpoch = 0;
    const third = session.build([a, b]);
    expect(third).toMatchObject({ sessionId: 9, sessionEpoch: 2, forgotten: ['orders-2'] });
    expect(named(third)).toEqual(['orders-0@5', 'orders-1@0']);
    expect(third.partitions[1]!.lastFetchedEpoch).toBe(0);
    session.replied(ok(9));
    expect(session.member('orders-2')).toBeUndefined();
    expect(session.member('orders-0')).toBe(a);

    // Back in the set: added again, with its fetch in full.
    expect(named(session.build([a, b, c]))).toEqual(['orders-2@0']);
  });

  it('aPartitionFollowedAnewIsSentAgain: a new leader epoch, a new object for the same partition', () => {
    const session = new FollowerFetchSession();
    const old = member(0);
    session.build([old]);
    session.replied(ok(4));
    const renewed = member(0, 0n, 3);
    const request = session.build([renewed]);
    expect(request.partitions).toEqual([{ topic: 'orders', partition: 0, fetchOffset: 0n, currentLeaderEpoch: 3, lastFetchedEpoch: -1 }]);
    expect(session.member('orders-0')).toBe(renewed);
  });

  it('aRefusedSessionOrALostAskOpensANewOne', () => {
    const session = new FollowerFetchSession();
    const [a, b] = [member(0), member(1)];
    session.build([a, b]);
    session.replied(ok(4));
    session.build([a, b]);
    expect(session.replied({ errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 4, partitions: [] })).toBe(false);
    const reopened = session.build([a, b]);
    expect(reopened).toMatchObject({ sessionId: 0, sessionEpoch: 0, forgotten: [] });
    expect(named(reopened)).toEqual(['orders-0@0', 'orders-1@0']);
    session.replied(ok(5));
    session.build([a, b]);
    session.reset();
    expect(named(session.build([a]))).toEqual(['orders-0@0']);
    expect(session.id).toBe(0);
  });
});
