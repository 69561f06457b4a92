import { describe, expect, it } from 'vitest';
import { FollowerReplica } from './follower-replica.js';

describe('FollowerReplica', () => {
  it('caughtUpWhenFetchingAtLeaderEnd', () => {
    const replica = new FollowerReplica(2);
    replica.updateFetchState(10n, 1_000, 10n);
    expect(replica.lastCaughtUpTimeMs).toBe(1_000);
  });

  it('caughtUpAsOfPreviousFetchWhenReachingItsLeaderEnd', () => {
    const replica = new FollowerReplica(2);
    replica.updateFetchState(5n, 1_000, 10n);
    expect(replica.lastCaughtUpTimeMs).toBe(0);
    // It now has everything the leader had at its previous fetch, though the leader moved on.
    replica.updateFetchState(10n, 2_000, 15n);
    expect(replica.lastCaughtUpTimeMs).toBe(1_000);
  });

  it('notCaughtUpWhileBehindPreviousLeaderEnd', () => {
    const replica = new FollowerReplica(2);
    replica.updateFetchState(5n, 1_000, 10n);
    replica.updateFetchState(8n, 2_000, 15n);
    expect(replica.lastCaughtUpTimeMs).toBe(0);
    expect(replica.isCaughtUp(15n, 2_000, 30_000)).toBe(true);
    expect(replica.isCaughtUp(15n, 40_000, 30_000)).toBe(false);
  });

  it('resetKeepsInSyncFollowerCaughtUp', () => {
    const replica = new FollowerReplica(2);
    replica.updateFetchState(5n, 1_000, 5n);
    replica.reset(50_000, 7n, true);
    expect(replica.logEndOffset).toBe(-1n);
    expect(replica.isCaughtUp(7n, 60_000, 30_000)).toBe(true);
    replica.reset(50_000, 7n, false);
    expect(replica.isCaughtUp(7n, 50_000, 30_000)).toBe(false);
  });
});
