import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@kstream/protocol';
import { accepted, batch, flush, openPartition, partitionState, testContext } from './partition.test-support.js';
import { AT_LOG_END, REFUSED_ISR_RETRY_MS, type Partition } from './partition.js';

/** Broker 1 leads orders-0 with followers 2 and 3 in the ISR. */
async function leaderOfThree(configs = {}) {
  const context = testContext(1);
  const partition = await openPartition(context, partitionState({ replicas: [1, 2, 3] }), configs);
  return { context, partition };
}

async function appendValues(partition: Partition, count: number, acks = 1): Promise<void> {
  for (let i = 0; i < count; i++) await partition.appendRecordsToLeader(await batch(`v${i}`), acks);
}

function fetchAt(partition: Partition, replica: number, offset: bigint) {
  return partition.fetchForFollower(replica, offset, -1, 1 << 20);
}

describe('Partition as leader', () => {
  it('highWatermarkIsLowestIsrLogEndOffset', async () => {
    const { partition } = await leaderOfThree();
    await appendValues(partition, 3);
    expect(partition.highWatermark).toBe(0n);
    await fetchAt(partition, 2, 3n);
    expect(partition.highWatermark).toBe(0n);
    await fetchAt(partition, 3, 2n);
    expect(partition.highWatermark).toBe(2n);
    await fetchAt(partition, 3, 3n);
    expect(partition.highWatermark).toBe(3n);
  });

  it('highWatermarkNeverMovesBack', async () => {
    const { partition } = await leaderOfThree();
    await appendValues(partition, 2);
    await fetchAt(partition, 2, 2n);
    await fetchAt(partition, 3, 2n);
    expect(partition.highWatermark).toBe(2n);
    await fetchAt(partition, 3, 1n);
    expect(partition.highWatermark).toBe(2n);
  });

  it('newLeadershipWaitsForEveryIsrFollowerToFetch', async () => {
    const { partition } = await leaderOfThree();
    await appendValues(partition, 2);
    await fetchAt(partition, 2, 2n);
    await partition.applyState(partitionState({ replicas: [1, 2, 3], leaderEpoch: 1, partitionEpoch: 1 }));
    await appendValues(partition, 1);
    await fetchAt(partition, 2, 3n);
    // Follower 3 has not fetched in this leadership: its offset is unknown.
    expect(partition.highWatermark).toBe(0n);
    expect(partition.follower(3)?.logEndOffset).toBe(-1n);
    await fetchAt(partition, 3, 3n);
    expect(partition.highWatermark).toBe(3n);
  });

  it('followerReadReachesPastHighWatermark', async () => {
    const { partition } = await leaderOfThree();
    await appendValues(partition, 2);
    const read = await fetchAt(partition, 2, 0n);
    expect(read.records.length).toBeGreaterThan(0);
    expect(read.logEndOffset).toBe(2n);
    const consumerRead = await partition.read(0n, 1 << 20, true, false);
    expect(consumerRead.records.length).toBe(0);
  });

  it('divergingEpochAnsweredWhenFollowerEpochEndsEarlier', async () => {
    const { partition } = await leaderOfThree();
    await appendValues(partition, 2);
    await partition.applyState(partitionState({ replicas: [1, 2, 3], leaderEpoch: 3, partitionEpoch: 1 }));
    await appendValues(partition, 2);
    // A follower that wrote epoch 0 up to offset 3 diverges at 2, where epoch 3 starts here.
    const read = await partition.fetchForFollower(2, 3n, 0, 1 << 20);
    expect(read.divergingEpoch).toEqual({ epoch: 0, endOffset: 2n });
    expect(read.records.length).toBe(0);
    const inStep = await partition.fetchForFollower(2, 2n, 0, 1 << 20);
    expect(inStep.divergingEpoch).toBeUndefined();
  });

  it('followerPastTheEndOfTheLatestEpochDiverges: a follower whose last fetched epoch is the latest here but whose log runs past this log end truncates to it; one at the end reads nothing, its position recorded', async () => {
    const { partition } = await leaderOfThree();
    await appendValues(partition, 3);
    const ahead = await partition.fetchForFollower(2, 5n, 0, 1 << 20);
    expect(ahead.divergingEpoch).toEqual({ epoch: 0, endOffset: 3n });
    expect(ahead.records.length).toBe(0);
    expect(partition.fetchForFollowerNow(2, 3n, 0)).toBe(AT_LOG_END);
    expect(partition.offsetsRead()).toEqual({ records: expect.any(Buffer), highWatermark: 0n, logStartOffset: 0n, logEndOffset: 3n });
    expect(partition.fetchForFollowerNow(3, 3n, 0)).toBe(AT_LOG_END);
    // Both followers at the end: the high watermark moved with their positions.
    expect(partition.highWatermark).toBe(3n);
  });

  it('fetchFromUnknownReplicaIsNotLeaderOrFollower', async () => {
    const { partition } = await leaderOfThree();
    await expect(fetchAt(partition, 9, 0n)).rejects.toMatchObject({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER });
  });

  it('formerFollowerDataWakesConsumers', async () => {
    const context = testContext(1);
    const partition = await openPartition(context, partitionState({ replicas: [1, 2], leader: 2 }));
    await partition.appendRecordsAsFollower(await batch('copied'));
    expect(context.highWatermarkMoves).toEqual([]);
    await partition.applyState(partitionState({ replicas: [1, 2], isr: [1], leader: 1, leaderEpoch: 1, partitionEpoch: 1 }));
    expect(partition.highWatermark).toBe(1n);
    expect(context.highWatermarkMoves).toHaveLength(1);
    expect(context.highWatermarkMoves[0]).toBeGreaterThan(0);
  });

  it('appendWakesFollowerFetches', async () => {
    const { context, partition } = await leaderOfThree();
    await appendValues(partition, 2);
    expect(context.appends).toHaveLength(2);
  });
});

describe('ISR changes', () => {
  it('shrinkAfterLag', async () => {
    const { context, partition } = await leaderOfThree();
    await appendValues(partition, 1);
    context.now.ms += 10_000;
    await fetchAt(partition, 2, 1n);
    context.now.ms += 25_000;
    partition.maybeShrinkIsr();
    expect(context.sent).toHaveLength(1);
    expect(context.sent[0]!.item.newIsr).toEqual([1, 2]);
    expect(context.logger.lines.some((l) => l.includes('replica.lag.time.max.ms=30000'))).toBe(true);
  });

  it('becomingLeaderShrinksNoFollowerBeforeResettingThem', async () => {
    // Broker 1 follows broker 2; metadata makes it leader, and the lag check runs while it records the epoch's start on disk.
    const context = testContext(1);
    const partition = await openPartition(context, partitionState({ replicas: [1, 2, 3], leader: 2 }));
    const becomingLeader = partition.applyState(partitionState({ replicas: [1, 2, 3], leader: 1, leaderEpoch: 1, partitionEpoch: 1 }));
    partition.maybeShrinkIsr();
    await becomingLeader;
    partition.maybeShrinkIsr();
    expect(context.sent.map((c) => c.item.newIsr)).toEqual([]);
  });

  it('caughtUpFollowerNotShrunkWithoutAppends', async () => {
    const { context, partition } = await leaderOfThree();
    await fetchAt(partition, 2, 0n);
    await fetchAt(partition, 3, 0n);
    context.now.ms += 60_000;
    partition.maybeShrinkIsr();
    expect(context.sent).toHaveLength(0);
  });

  it('pendingShrinkStillCountsForHighWatermark', async () => {
    const { context, partition } = await leaderOfThree();
    await appendValues(partition, 2);
    await fetchAt(partition, 2, 2n);
    await fetchAt(partition, 3, 1n);
    context.now.ms += 31_000;
    await appendValues(partition, 1);
    await fetchAt(partition, 2, 3n);
    partition.maybeShrinkIsr();
    expect(context.sent[0]!.item.newIsr).toEqual([1, 2]);
    expect(partition.highWatermark).toBe(1n);
    context.sent[0]!.answer(accepted(context.sent[0]!));
    await flush();
    expect(partition.state.isr).toEqual([1, 2]);
    expect(partition.state.partitionEpoch).toBe(1);
    expect(partition.highWatermark).toBe(3n);
  });

  it('expandOnceCaughtUpToHighWatermark', async () => {
    const context = testContext(1);
    const partition = await openPartition(context, partitionState({ replicas: [1, 2], isr: [1] }));
    await appendValues(partition, 3);
    expect(partition.highWatermark).toBe(3n);
    await fetchAt(partition, 2, 2n);
    expect(context.sent).toHaveLength(0);
    await fetchAt(partition, 2, 3n);
    expect(context.sent.map((s) => s.item.newIsr)).toEqual([[1, 2]]);
  });

  it('expandWaitsForLeaderEpochStartOffset', async () => {
    const context = testContext(1);
    const partition = await openPartition(context, partitionState({ replicas: [1, 2, 3], isr: [1, 2] }));
    await appendValues(partition, 3);
    await fetchAt(partition, 2, 1n);
    // Epoch 1 starts at 3; follower 3, not yet fetched, holds the high watermark at 1.
    await partition.applyState(partitionState({ replicas: [1, 2, 3], isr: [1, 3], leaderEpoch: 1, partitionEpoch: 1 }));
    expect(partition.highWatermark).toBe(1n);
    await fetchAt(partition, 2, 2n);
    expect(context.sent).toHaveLength(0);
    await fetchAt(partition, 2, 3n);
    expect(context.sent.map((s) => s.item.newIsr)).toEqual([[1, 3, 2]]);
  });

  it('pendingExpansionCountsForHighWatermarkNotMinInsync', async () => {
    const context = testContext(1);
    const partition = await openPartition(context, partitionState({ replicas: [1, 2], isr: [1] }), { 'min.insync.replicas': 2 });
    await appendValues(partition, 1);
    await fetchAt(partition, 2, 1n);
    expect(partition.pendingIsr).toEqual({ kind: 'expand', newIsr: [1, 2] });
    await expect(partition.appendRecordsToLeader(await batch('x'), -1)).rejects.toMatchObject({ errorCode: ErrorCode.NOT_ENOUGH_REPLICAS });
    await appendValues(partition, 1);
    expect(partition.highWatermark).toBe(1n);
    await fetchAt(partition, 2, 2n);
    expect(partition.highWatermark).toBe(2n);
  });

  for (const [how, answer] of [
    ['refused', ErrorCode.INELIGIBLE_REPLICA],
    ['dropped as stale', undefined],
  ] as const) {
    it(`droppedExpansionReleasesTheHighWatermarkAtOnce: an expansion ${how} stops holding it back without waiting for a fetch`, async () => {
      const context = testContext(1);
      const partition = await openPartition(context, partitionState({ replicas: [1, 2, 3], isr: [1, 3] }));
      await fetchAt(partition, 2, 0n);
      expect(partition.pendingIsr).toEqual({ kind: 'expand', newIsr: [1, 3, 2] });
      await appendValues(partition, 1);
      await fetchAt(partition, 3, 1n);
      // Follower 2, at 0 in the maximal ISR, holds it back; no fetch comes after the answer.
      expect(partition.highWatermark).toBe(0n);
      const sent = context.sent[0]!;
      sent.answer(answer === undefined ? undefined : { ...accepted(sent), errorCode: answer, isr: [1, 3], partitionEpoch: 0 });
      await flush();
      expect(partition.pendingIsr).toBeUndefined();
      expect(partition.highWatermark).toBe(1n);
    });
  }

  it('oneIsrChangeInFlight', async () => {
    const { context, partition } = await leaderOfThree();
    context.now.ms += 31_000;
    partition.maybeShrinkIsr();
    partition.maybeShrinkIsr();
    expect(context.sent).toHaveLength(1);
    expect(context.sent[0]!.item.newIsr).toEqual([1]);
  });

  it('refusedChangeAskedAgainOnlyInNewerPartitionEpoch', async () => {
    const { context, partition } = await leaderOfThree();
    context.now.ms += 31_000;
    partition.maybeShrinkIsr();
    context.sent[0]!.answer({ ...accepted(context.sent[0]!), errorCode: ErrorCode.INVALID_UPDATE_VERSION, isr: [1, 2, 3], partitionEpoch: 0 });
    await flush();
    expect(partition.state.isr).toEqual([1, 2, 3]);
    expect(partition.pendingIsr).toBeUndefined();
    partition.maybeShrinkIsr();
    expect(context.sent).toHaveLength(1);
    await partition.applyState(partitionState({ replicas: [1, 2, 3], partitionEpoch: 1 }));
    partition.maybeShrinkIsr();
    expect(context.sent).toHaveLength(2);
    expect(context.sent[1]!.item.partitionEpoch).toBe(1);
  });

  it('refusedExpansionNotSentOnEveryFetchButAgainAfterRetryTime', async () => {
    const context = testContext(1);
    const partition = await openPartition(context, partitionState({ replicas: [1, 2], isr: [1] }));
    await fetchAt(partition, 2, 0n);
    context.sent[0]!.answer({ ...accepted(context.sent[0]!), errorCode: ErrorCode.INELIGIBLE_REPLICA, isr: [1], partitionEpoch: 0 });
    await flush();
    await fetchAt(partition, 2, 0n);
    await fetchAt(partition, 2, 0n);
    expect(context.sent).toHaveLength(1);
    // The broker may have become eligible (registered again) without a new partition epoch.
    context.now.ms += REFUSED_ISR_RETRY_MS;
    await fetchAt(partition, 2, 0n);
    expect(context.sent).toHaveLength(2);
  });

  it('newerPartitionEpochFromMetadataDropsPendingChange', async () => {
    const { context, partition } = await leaderOfThree();
    context.now.ms += 31_000;
    partition.maybeShrinkIsr();
    const sent = context.sent[0]!;
    await partition.applyState(partitionState({ replicas: [1, 2, 3], isr: [1, 3], partitionEpoch: 1 }));
    expect(sent.isStale()).toBe(true);
    sent.answer(accepted(sent));
    await flush();
    expect(partition.state.isr).toEqual([1, 3]);
  });
});

describe('acks=-1', () => {
  it('completesWhenHighWatermarkPasses', async () => {
    const { partition } = await leaderOfThree();
    const info = await partition.appendRecordsToLeader(await batch('a', 'b'), -1);
    const done = partition.waitForReplication(info.lastOffset + 1n, 10_000);
    await fetchAt(partition, 2, 2n);
    expect(partition.delayedProduces).toBe(1);
    await fetchAt(partition, 3, 2n);
    expect(await done).toEqual({ errorCode: ErrorCode.NONE, message: null });
  });

  it('timesOut', async () => {
    const { partition } = await leaderOfThree();
    const info = await partition.appendRecordsToLeader(await batch('a'), -1);
    const result = await partition.waitForReplication(info.lastOffset + 1n, 20);
    expect(result.errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
  });

  it('notEnoughReplicasBeforeAppend', async () => {
    const context = testContext(1);
    const partition = await openPartition(context, partitionState({ replicas: [1, 2, 3], isr: [1] }), { 'min.insync.replicas': 2 });
    await expect(partition.appendRecordsToLeader(await batch('a'), -1)).rejects.toMatchObject({ errorCode: ErrorCode.NOT_ENOUGH_REPLICAS });
    expect(partition.logEndOffset).toBe(0n);
    await partition.appendRecordsToLeader(await batch('a'), 1);
    expect(partition.logEndOffset).toBe(1n);
  });

  it('notEnoughReplicasAfterAppend', async () => {
    const { context, partition } = await leaderOfThree({ 'min.insync.replicas': 3 });
    const info = await partition.appendRecordsToLeader(await batch('a'), -1);
    const done = partition.waitForReplication(info.lastOffset + 1n, 10_000);
    await fetchAt(partition, 2, 1n);
    context.now.ms += 31_000;
    await fetchAt(partition, 2, 1n);
    partition.maybeShrinkIsr();
    context.sent[0]!.answer(accepted(context.sent[0]!));
    await flush();
    expect((await done).errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
  });

  it('leadershipLossFailsWaiters', async () => {
    const { partition } = await leaderOfThree();
    const info = await partition.appendRecordsToLeader(await batch('a'), -1);
    const done = partition.waitForReplication(info.lastOffset + 1n, 10_000);
    await partition.applyState(partitionState({ replicas: [1, 2, 3], leader: 2, leaderEpoch: 1, partitionEpoch: 1 }));
    expect((await done).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    await expect(partition.appendRecordsToLeader(await batch('b'), -1)).rejects.toMatchObject({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER });
  });
});
