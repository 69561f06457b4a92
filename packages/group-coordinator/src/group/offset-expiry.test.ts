import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { settle } from './coordinator-log.test-support.js';
import { commitRequest, committed, context, coordinatorFixture, seed, storedGroup } from './group-coordinator.test-support.js';

const RETENTION_MS = 100_000;
const CHECK_MS = 1_000;

async function expiring() {
  const fixture = coordinatorFixture({ config: { offsetsRetentionMs: RETENTION_MS, offsetsRetentionCheckIntervalMs: CHECK_MS } });
  return fixture;
}

const stateOf = async (fixture: Awaited<ReturnType<typeof expiring>>, groupId: string) =>
  (await fixture.coordinator.describeGroups({ groups: [groupId], includeAuthorizedOperations: false }, context(5))).groups[0]!.groupState;

describe('offset expiry', () => {
  it('simpleGroupOffsetsExpireRetentionAfterTheirCommitThenTheGroupIsDead', async () => {
    const fixture = await expiring();
    await fixture.elect();
    await fixture.coordinator.offsetCommit(commitRequest('g', { a: { 0: 1n } }), context(8));
    await fixture.timers.advance(RETENTION_MS / 2);
    await fixture.coordinator.offsetCommit(commitRequest('g', { a: { 1: 2n } }), context(8));
    await fixture.timers.advance(RETENTION_MS / 2 - CHECK_MS);
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 'a/0': 1n, 'a/1': 2n });
    await fixture.timers.advance(CHECK_MS);
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 'a/1': 2n });
    expect(await stateOf(fixture, 'g')).toBe('Empty');
    await fixture.timers.advance(RETENTION_MS / 2);
    expect(await committed(fixture.coordinator, 'g')).toEqual({});
    expect(await stateOf(fixture, 'g')).toBe('Dead');
    expect((await fixture.coordinator.listGroups({ statesFilter: [], typesFilter: [] }, context(4))).groups).toEqual([]);
  });

  it('emptyGroupOffsetsExpireRetentionAfterItBecameEmptyNotAfterTheirCommit', async () => {
    const fixture = await expiring();
    const emptiedAt = fixture.timers.now;
    const old = { offset: 5n, leaderEpoch: -1, metadata: '', commitTimestamp: BigInt(emptiedAt - 10 * RETENTION_MS), expireTimestamp: -1n };
    await seed(fixture.log, 0, 0, [
      { type: 'group', group: 'g', value: { ...storedGroup(3, []), currentStateTimestamp: BigInt(emptiedAt) } },
      { type: 'offset', key: { group: 'g', topic: 'a', partition: 0 }, value: old },
    ]);
    await fixture.elect(0, 1);
    await fixture.timers.advance(RETENTION_MS - CHECK_MS);
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 'a/0': 5n });
    await fixture.timers.advance(CHECK_MS);
    expect(await committed(fixture.coordinator, 'g')).toEqual({});
    expect(await stateOf(fixture, 'g')).toBe('Dead');
  });

  it('retentionTimeMsOfV2ToV4Wins', async () => {
    const fixture = await expiring();
    await fixture.elect();
    await fixture.coordinator.offsetCommit(commitRequest('g', { a: { 0: 1n } }, { retentionTimeMs: 3_000n }), context(2));
    await fixture.coordinator.offsetCommit(commitRequest('g', { a: { 1: 1n } }), context(2));
    await fixture.timers.advance(3 * CHECK_MS);
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 'a/1': 1n });
  });

  it('commitTimestampOfV1IsTheOneRetentionCountsFrom', async () => {
    const fixture = await expiring();
    await fixture.elect();
    const longAgo = BigInt(fixture.timers.now - RETENTION_MS);
    await fixture.coordinator.offsetCommit(commitRequest('g', { a: { 0: 1n } }, { commitTimestamp: longAgo }), context(1));
    await fixture.coordinator.offsetCommit(commitRequest('g', { a: { 1: 1n } }), context(1));
    await fixture.timers.advance(CHECK_MS);
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 'a/1': 1n });
  });

  it('stableConsumerGroupLosesOnlyTopicsNoMemberSubscribesTo', async () => {
    const fixture = await expiring();
    await seed(fixture.log, 0, 0, [{ type: 'group', group: 'g', value: storedGroup(1, [{ memberId: 'm-1', topics: ['a'] }]) }]);
    await fixture.elect(0, 1);
    await fixture.coordinator.offsetCommit(commitRequest('g', { a: { 0: 1n }, b: { 0: 2n } }, { generation: 1, memberId: 'm-1' }), context(8));
    // The member keeps its session alive meanwhile.
    for (let elapsed = 0; elapsed < RETENTION_MS; elapsed += 5_000) {
      await fixture.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: 'm-1', groupInstanceId: null }, context(3));
      await fixture.timers.advance(5_000);
    }
    expect(await stateOf(fixture, 'g')).toBe('Stable');
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 'a/0': 1n });
  });

  it('partitionWithACommitInFlightIsNotExpired', async () => {
    const fixture = await expiring();
    await fixture.elect();
    await fixture.coordinator.offsetCommit(commitRequest('g', { a: { 0: 1n } }), context(8));
    await fixture.timers.advance(RETENTION_MS - CHECK_MS);
    const release = fixture.log.holdAppends();
    const pending = fixture.coordinator.offsetCommit(commitRequest('g', { a: { 0: 2n } }), context(8));
    await settle();
    await fixture.timers.advance(CHECK_MS);
    release();
    await pending;
    await settle();
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 'a/0': 2n });
    expect(await stateOf(fixture, 'g')).toBe('Empty');
  });

  it('failedExpiryWriteKeepsTheOffsetsAndTheNextCheckRetries', async () => {
    const fixture = await expiring();
    await fixture.elect();
    await fixture.coordinator.offsetCommit(commitRequest('g', { a: { 0: 1n } }), context(8));
    await fixture.timers.advance(RETENTION_MS - CHECK_MS);
    fixture.log.failNext(ErrorCode.NOT_ENOUGH_REPLICAS);
    await fixture.timers.advance(CHECK_MS);
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 'a/0': 1n });
    expect(fixture.logger.lines.filter((line) => line.level === 'warn')).toHaveLength(1);
    await fixture.timers.advance(CHECK_MS);
    expect(await committed(fixture.coordinator, 'g')).toEqual({});
  });
});
