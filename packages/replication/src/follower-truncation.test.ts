import { describe, expect, it } from 'vitest';
import { UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET, type EpochEndOffset } from '@kstream/log-storage';
import { ErrorCode } from '@kstream/protocol';
import { truncationOffset, type FollowerLogView } from './follower-truncation.js';
import type { Partition } from './partition.js';
import { batch } from './partition.test-support.js';
import { logBytes, ReplicationCluster } from './replication-cluster.test-support.js';

/** A follower log whose epochs start at the given offsets. */
function followerLog(epochs: [number, bigint][], logEndOffset: bigint, highWatermark = 0n): FollowerLogView {
  return {
    logEndOffset,
    highWatermark,
    endOffsetForEpoch(requested: number): EpochEndOffset {
      const latest = epochs[epochs.length - 1];
      if (latest !== undefined && latest[0] === requested) return { epoch: requested, endOffset: logEndOffset };
      const higher = epochs.findIndex(([e]) => e > requested);
      if (higher < 0) return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
      return { epoch: epochs[higher - 1]?.[0] ?? requested, endOffset: epochs[higher]![1] };
    },
  };
}

describe('truncationOffset', () => {
  it('sameEpochTakesLowerEnd', () => {
    expect(truncationOffset({ epoch: 2, endOffset: 10n }, followerLog([[2, 0n]], 14n))).toEqual({ offset: 10n, complete: true });
    expect(truncationOffset({ epoch: 2, endOffset: 20n }, followerLog([[2, 0n]], 14n))).toEqual({ offset: 14n, complete: true });
  });

  it('epochFollowerLacksIsIntermediate', () => {
    // The follower has epochs 1 and 3; the leader's answer is for epoch 2, which the follower never had.
    expect(
      truncationOffset(
        { epoch: 2, endOffset: 12n },
        followerLog(
          [
            [1, 0n],
            [3, 8n],
          ],
          14n,
        ),
      ),
    ).toEqual({ offset: 8n, complete: false });
  });

  it('leaderWithoutTheEpochTruncatesToHighWatermark', () => {
    expect(truncationOffset({ epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET }, followerLog([[5, 0n]], 14n, 6n))).toEqual({ offset: 6n, complete: true });
  });

  it('leaderWithoutEpochsGivesItsEndOffset', () => {
    expect(truncationOffset({ epoch: UNDEFINED_EPOCH, endOffset: 9n }, followerLog([[5, 0n]], 14n))).toEqual({ offset: 9n, complete: true });
  });

  it('neverBeyondFollowerEnd', () => {
    expect(truncationOffset({ epoch: 1, endOffset: 50n }, followerLog([[1, 0n]], 14n))).toEqual({ offset: 14n, complete: true });
  });
});

describe('follower truncation by leader epoch', () => {
  it('divergentTailAfterLeaderCrash', async () => {
    const cluster = await ReplicationCluster.start(2);
    const one = cluster.broker(1).partition;
    const two = cluster.broker(2).partition;
    await one.appendRecordsToLeader(await batch('a'), 1);
    await cluster.until('replicated', () => two.logEndOffset === 1n);
    cluster.isolate(1);
    // Broker 1 appends what no follower copies, then "crashes": broker 2 leads epoch 1.
    await one.appendRecordsToLeader(await batch('lost-1'), 1);
    await one.appendRecordsToLeader(await batch('lost-2'), 1);
    await cluster.elect(2, [2], [2]);
    await two.appendRecordsToLeader(await batch('b'), 1);
    cluster.heal(1);
    await cluster.apply(cluster.state, [1]);
    await cluster.until('old leader caught up', () => one.logEndOffset === 2n && two.logEndOffset === 2n);
    expect((await logBytes(one.log)).equals(await logBytes(two.log))).toBe(true);
    expect(cluster.broker(1).logger.lines.some((l) => l.includes('truncating orders-0 to offset 1'))).toBe(true);
  });

  it('twoLeaderChangesInARow', async () => {
    const cluster = await ReplicationCluster.start(3);
    const [one, two, three] = [1, 2, 3].map((id) => cluster.broker(id).partition) as [Partition, Partition, Partition];
    await one.appendRecordsToLeader(await batch('a'), 1);
    await cluster.until('replicated', () => two.logEndOffset === 1n && three.logEndOffset === 1n);
    cluster.isolate(1);
    cluster.isolate(2);
    cluster.isolate(3);
    await one.appendRecordsToLeader(await batch('epoch0-only-on-1'), 1);
    await cluster.elect(2, [2, 3], [2]);
    await two.appendRecordsToLeader(await batch('epoch1-only-on-2'), 1);
    await two.appendRecordsToLeader(await batch('epoch1-only-on-2'), 1);
    await cluster.elect(3, [3], [3]);
    await three.appendRecordsToLeader(await batch('epoch2'), 1);
    for (const id of [1, 2, 3]) cluster.heal(id);
    await cluster.apply(cluster.state, [1, 2]);
    await cluster.until('all caught up', () => [one, two].every((p) => p.logEndOffset === 2n));
    const leaderBytes = await logBytes(three.log);
    expect((await logBytes(one.log)).equals(leaderBytes)).toBe(true);
    expect((await logBytes(two.log)).equals(leaderBytes)).toBe(true);
  });

  it('emptyEpochOfAnOldLeaderDoesNotKeepItOutOfTheIsr', async () => {
    const cluster = await ReplicationCluster.start(3);
    const [one, two, three] = [1, 2, 3].map((id) => cluster.broker(id).partition) as [Partition, Partition, Partition];
    await one.appendRecordsToLeader(await batch('a'), 1);
    await cluster.until('replicated', () => two.logEndOffset === 1n && three.logEndOffset === 1n);
    for (const id of [1, 2, 3]) cluster.isolate(id);
    // Broker 2 leads epoch 1 and appends nothing in it; nobody else hears of it before broker 1 leads epoch 2.
    await cluster.elect(2, [2], [2]);
    expect(two.log.leaderEpochCache.latestEpoch()).toBe(1);
    await cluster.elect(1, [1], [1, 2, 3]);
    for (const id of [1, 2, 3]) cluster.heal(id);
    await cluster.until('ISR back to all three', () => cluster.state.isr.length === 3);
    expect(two.log.leaderEpochCache.entries().some((e) => e.epoch === 1)).toBe(false);
  });

  it('followerWithoutEpochTruncatesToHighWatermark', async () => {
    const cluster = await ReplicationCluster.start(2);
    const two = cluster.broker(2).partition;
    await cluster.broker(1).partition.appendRecordsToLeader(await batch('a'), 1);
    await cluster.until('replicated', () => two.logEndOffset === 1n);
    expect(cluster.broker(2).fetchers.fetcher(1)?.stateOf('orders-0')).toBe('fetching');
  });

  it('leaderLogStartBeyondFollowerEnd', async () => {
    const cluster = await ReplicationCluster.start(2, {}, [1]);
    cluster.isolate(2);
    const one = cluster.broker(1).partition;
    for (let i = 0; i < 5; i++) await one.appendRecordsToLeader(await batch(`v${i}`), 1);
    await one.deleteRecordsOnLeader(4n);
    cluster.heal(2);
    const two = cluster.broker(2).partition;
    await cluster.until('follower starts at the leader log start', () => two.logEndOffset === 5n);
    expect(two.logStartOffset).toBe(4n);
    expect(cluster.broker(2).logger.lines.some((l) => l.includes("starts over at the leader's log start offset 4"))).toBe(true);
  });

  it('fencedFollowerBacksOffUntilMetadata', async () => {
    const cluster = await ReplicationCluster.start(2);
    await cluster.elect(1, [1, 2], [1]);
    // Broker 2 still follows epoch 0: the leader answers FENCED_LEADER_EPOCH, and it waits.
    await cluster.until('fenced logged', () => cluster.broker(2).logger.lines.some((l) => l.includes(`error ${ErrorCode.FENCED_LEADER_EPOCH}`)));
    await cluster.apply(cluster.state, [2]);
    await cluster.broker(1).partition.appendRecordsToLeader(await batch('a'), 1);
    await cluster.until('replicated after metadata', () => cluster.broker(2).partition.logEndOffset === 1n);
  });

  it('leaderBehindOnMetadataAskedAgainSoon', async () => {
    const cluster = await ReplicationCluster.start(2, { backoffMs: 10_000 });
    // The follower hears of epoch 1 first: the leader answers UNKNOWN_LEADER_EPOCH until its metadata arrives.
    await cluster.elect(1, [1, 2], [2]);
    await cluster.until('unknown epoch logged', () => cluster.broker(2).logger.lines.some((l) => l.includes(`error ${ErrorCode.UNKNOWN_LEADER_EPOCH}`)));
    await cluster.apply(cluster.state, [1]);
    const one = cluster.broker(1).partition;
    const info = await one.appendRecordsToLeader(await batch('a'), -1);
    const started = Date.now();
    expect((await one.waitForReplication(info.lastOffset + 1n, 5_000)).errorCode).toBe(ErrorCode.NONE);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
