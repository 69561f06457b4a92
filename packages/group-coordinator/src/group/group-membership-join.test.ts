import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { MembershipHarness, REBALANCE_TIMEOUT_MS, SESSION_TIMEOUT_MS, settle, subscription } from './membership.test-support.js';

describe('ClassicGroupMembership JoinGroup', () => {
  it('joinWithEmptyMemberIdV4GetsMemberIdRequired', async () => {
    const h = new MembershipHarness();
    const first = await h.join({ version: 4, clientId: 'app' }).promise;
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^app-[0-9a-f-]{36}$/);
    expect(h.group.size).toBe(0);
    expect(h.group.pendingMembers.has(first.memberId)).toBe(true);
    const second = h.join({ version: 4, memberId: first.memberId });
    await h.finishInitialDelay();
    expect(second.answer()).toMatchObject({ errorCode: ErrorCode.NONE, memberId: first.memberId, generationId: 1, leader: first.memberId });
  });

  it('joinBeforeV4JoinsDirectlyWithANewMemberId', async () => {
    const h = new MembershipHarness();
    const join = h.join({ version: 3, clientId: 'old' });
    expect(h.group.state).toBe('PreparingRebalance');
    await h.finishInitialDelay();
    expect(join.answer()).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, protocolName: 'range' });
    expect(join.answer()!.memberId).toMatch(/^old-/);
  });

  it('pendingMemberThatDoesNotRejoinIsDroppedAfterItsSessionTimeout', async () => {
    const h = new MembershipHarness();
    const a = await h.joinNew({ clientId: 'a' });
    const pending = await h.join({ clientId: 'b' }).promise;
    expect(pending.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    h.time.advance(SESSION_TIMEOUT_MS);
    await settle();
    expect(h.group.pendingMembers.size).toBe(0);
    expect(a.joined.answer()?.errorCode).toBe(ErrorCode.NONE);
    expect((await h.join({ memberId: pending.memberId }).promise).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('emptyGroupIdIsInvalidGroupId', async () => {
    const h = new MembershipHarness();
    expect((await h.join({ groupId: '' }).promise).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  it('sessionTimeoutOutsideTheBrokerBoundsIsInvalidSessionTimeout', async () => {
    const h = new MembershipHarness();
    expect((await h.join({ sessionTimeoutMs: h.config.groupMinSessionTimeoutMs - 1 }).promise).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await h.join({ sessionTimeoutMs: h.config.groupMaxSessionTimeoutMs + 1 }).promise).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await h.join({ sessionTimeoutMs: h.config.groupMinSessionTimeoutMs }).promise).errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  });

  it('otherProtocolTypeOrNoCommonProtocolIsInconsistentGroupProtocol', async () => {
    const h = new MembershipHarness();
    expect((await h.join({ protocols: [] }).promise).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await h.join({ protocolType: '' }).promise).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    await h.joinNew();
    expect((await h.join({ protocolType: 'connect' }).promise).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const other = [{ name: 'roundrobin', metadata: subscription('t') }];
    expect((await h.join({ protocols: other }).promise).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('joinBeyondGroupMaxSizeIsGroupMaxSizeReached', async () => {
    const h = new MembershipHarness();
    h.config = { ...h.config, groupMaxSize: 2 };
    await h.stableGroup(2);
    const third = await h.join({ clientId: 'c3' }).promise;
    expect(third).toMatchObject({ errorCode: ErrorCode.GROUP_MAX_SIZE_REACHED, memberId: '' });
    expect(h.group.state).toBe('Stable');
  });

  it('whileRebalancingGroupMaxSizeCountsTheRejoinedMembersAndDropsTheLateOnes', async () => {
    const h = new MembershipHarness();
    const [a, b] = await h.stableGroup(2);
    h.config = { ...h.config, groupMaxSize: 1 };
    const rejoinA = h.join({ memberId: a! });
    // a rejoined and fills the group: b, a member that has not rejoined yet, is turned away and removed.
    const rejoinB = await h.join({ memberId: b! }).promise;
    expect(rejoinB).toMatchObject({ errorCode: ErrorCode.GROUP_MAX_SIZE_REACHED, memberId: '' });
    await settle();
    expect(h.group.hasMember(b!)).toBe(false);
    expect(rejoinA.answer()).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2 });
  });

  it('joinV0TakesItsSessionTimeoutAsItsRebalanceTimeout', async () => {
    const h = new MembershipHarness();
    const join = h.join({ version: 0, sessionTimeoutMs: 7_000, rebalanceTimeoutMs: -1 });
    await h.finishInitialDelay();
    expect(h.group.member(join.answer()!.memberId)!.rebalanceTimeoutMs).toBe(7_000);
  });

  it('joinWithAnUnknownMemberIdIsUnknownMemberId', async () => {
    const h = new MembershipHarness();
    await h.stableGroup(1);
    expect((await h.join({ memberId: 'nobody' }).promise).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('joinOfADeadGroupIsCoordinatorNotAvailable', async () => {
    const h = new MembershipHarness();
    h.group.transitionTo('Dead', h.time.now);
    expect((await h.join().promise).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });

  it('leaderGetsEveryMembersMetadataAndFollowersNone', async () => {
    const h = new MembershipHarness();
    const a = await h.joinNew({ clientId: 'a', protocols: [{ name: 'range', metadata: subscription('x') }] });
    const b = await h.joinNew({ clientId: 'b', protocols: [{ name: 'range', metadata: subscription('y') }] });
    await h.finishInitialDelay();
    const leader = a.joined.answer()!;
    const follower = b.joined.answer()!;
    expect(leader).toMatchObject({ leader: a.memberId, protocolType: 'consumer', protocolName: 'range', generationId: 1 });
    expect(leader.members.map((m) => [m.memberId, m.metadata])).toEqual([
      [a.memberId, subscription('x')],
      [b.memberId, subscription('y')],
    ]);
    expect(follower).toMatchObject({ leader: a.memberId, members: [] });
  });

  it('protocolIsChosenByTheMembersVote', async () => {
    const h = new MembershipHarness();
    const p = (name: string) => ({ name, metadata: subscription('t') });
    const a = await h.joinNew({ clientId: 'a', protocols: [p('range'), p('roundrobin')] });
    await h.joinNew({ clientId: 'b', protocols: [p('roundrobin'), p('range')] });
    await h.joinNew({ clientId: 'c', protocols: [p('roundrobin'), p('sticky'), p('range')] });
    await h.finishInitialDelay();
    expect(a.joined.answer()?.protocolName).toBe('roundrobin');
  });

  it('errorAnswersBeforeV7HaveAnEmptyProtocolNameAndFromV7Null', async () => {
    const h = new MembershipHarness();
    expect((await h.join({ version: 6, groupId: '' }).promise).protocolName).toBe('');
    expect((await h.join({ version: 7, groupId: '' }).promise).protocolName).toBeNull();
  });

  it('initialRebalanceDelayExtendsWhileMembersKeepJoiningUpToTheRebalanceTimeout', async () => {
    const h = new MembershipHarness();
    const delay = h.config.groupInitialRebalanceDelayMs;
    const first = await h.joinNew({ clientId: 'a', rebalanceTimeoutMs: 10_000 });
    // New members keep arriving every 2 s: each delay is extended, but never past the rebalance timeout.
    for (let i = 0; i < 10; i++) {
      h.time.advance(2_000);
      if (first.joined.answer() !== undefined) break;
      await h.joinNew({ clientId: `late${i}`, rebalanceTimeoutMs: 10_000 });
      await settle();
    }
    await settle();
    expect(first.joined.answer()?.errorCode).toBe(ErrorCode.NONE);
    expect(h.time.now - 1_000).toBeLessThanOrEqual(10_000 + delay);
    expect(h.time.now - 1_000).toBeGreaterThan(delay);
  });

  it('rebalanceCompletesAsSoonAsEveryKnownMemberRejoined', async () => {
    const h = new MembershipHarness();
    const [a, b] = await h.stableGroup(2);
    const rejoinA = h.join({ memberId: a! });
    expect(h.group.state).toBe('PreparingRebalance');
    const rejoinB = h.join({ memberId: b! });
    await settle();
    expect(rejoinA.answer()).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2 });
    expect(rejoinB.answer()).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2 });
    expect(h.group.state).toBe('CompletingRebalance');
  });

  it('membersThatDoNotRejoinWithinTheRebalanceTimeoutAreRemoved', async () => {
    const h = new MembershipHarness();
    const [a, b] = await h.stableGroup(2);
    const rejoinA = h.join({ memberId: a! });
    // b is told to rejoin, keeps its session by heartbeating, but never rejoins.
    for (let t = 5_000; t < REBALANCE_TIMEOUT_MS; t += 5_000) {
      h.time.advance(5_000);
      expect(await h.heartbeat(b!, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    }
    h.time.advance(4_999);
    await settle();
    expect(rejoinA.answer()).toBeUndefined();
    h.time.advance(1);
    await settle();
    expect(rejoinA.answer()).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leader: a });
    expect(rejoinA.answer()!.members.map((m) => m.memberId)).toEqual([a]);
    expect(h.group.hasMember(b!)).toBe(false);
  });

  it('leaderRejoiningAStableGroupRebalances', async () => {
    const h = new MembershipHarness();
    const [a] = await h.stableGroup(2);
    h.join({ memberId: a! });
    expect(h.group.state).toBe('PreparingRebalance');
  });

  it('followerRejoiningWithItsMetadataInAStableGroupGetsTheCurrentGeneration', async () => {
    const h = new MembershipHarness();
    const [a, b] = await h.stableGroup(2);
    const rejoin = await h.join({ memberId: b! }).promise;
    expect(rejoin).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, leader: a, members: [] });
    expect(h.group.state).toBe('Stable');
  });

  it('joinDuringCompletingRebalanceRestartsIt', async () => {
    const h = new MembershipHarness();
    const a = await h.joinNew({ clientId: 'a' });
    const b = await h.joinNew({ clientId: 'b' });
    await h.finishInitialDelay();
    expect(h.group.state).toBe('CompletingRebalance');
    const followerSync = h.sync(b.memberId, 1);
    const c = await h.joinNew({ clientId: 'c' });
    expect(h.group.state).toBe('PreparingRebalance');
    await settle();
    expect(followerSync.answer()?.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    h.join({ memberId: a.memberId });
    h.join({ memberId: b.memberId });
    await settle();
    expect(c.joined.answer()).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2 });
  });

  it('newMemberThatNeverCompletesAJoinPhaseIsDropped', async () => {
    const h = new MembershipHarness();
    const [a] = await h.stableGroup(1);
    const b = await h.joinNew({ clientId: 'b', rebalanceTimeoutMs: 600_000 });
    // a keeps heartbeating but never rejoins; its rebalance timeout (600 s via b) outlasts the new-member timeout of 5 min.
    for (let t = 0; t < 300_000; t += 5_000) {
      h.time.advance(5_000);
      await h.heartbeat(a!, 1);
    }
    await settle();
    expect(b.joined.answer()?.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.group.hasMember(b.memberId)).toBe(false);
  });
});
