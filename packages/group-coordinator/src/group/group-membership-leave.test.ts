import { AUTHORIZED_OPERATIONS_OMITTED, ErrorCode, GROUP_OPERATIONS } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { ClassicGroup } from './classic-group.js';
import { MembershipHarness, SESSION_TIMEOUT_MS, settle, subscription } from './membership.test-support.js';

describe('ClassicGroupMembership LeaveGroup', () => {
  it('batchedLeaveAnswersEachMemberItsOwnError', async () => {
    const h = new MembershipHarness();
    const [a, b, c] = await h.stableGroup(3);
    const leave = await h.leave([
      { memberId: a!, groupInstanceId: null, reason: 'shutdown' },
      { memberId: 'stranger', groupInstanceId: null, reason: null },
      { memberId: c!, groupInstanceId: null, reason: null },
    ]);
    expect(leave).toEqual({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      members: [
        { memberId: a, groupInstanceId: null, errorCode: ErrorCode.NONE },
        { memberId: 'stranger', groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID },
        { memberId: c, groupInstanceId: null, errorCode: ErrorCode.NONE },
      ],
    });
    expect(h.group.allMembers().map((m) => m.memberId)).toEqual([b]);
    expect(h.group.leaderId).toBe(b);
  });

  it('leaveBeforeV3AnswersTheMembersErrorAtTheTop', async () => {
    const h = new MembershipHarness();
    const [a] = await h.stableGroup(1);
    expect((await h.leave([], 2, 'stranger')).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await h.leave([], 0, a!)).errorCode).toBe(ErrorCode.NONE);
    expect(h.group.size).toBe(0);
  });

  it('lastMemberLeavingEmptiesTheGroupInANewGeneration', async () => {
    const h = new MembershipHarness();
    const [a] = await h.stableGroup(1);
    await h.leave([{ memberId: a!, groupInstanceId: null, reason: null }]);
    expect(h.group.state).toBe('Empty');
    expect(h.group.generationId).toBe(2);
    expect(h.group.protocolName).toBeNull();
    expect(h.emptied).toEqual(['g']);
  });

  it('leavingMemberParkedJoinIsAnsweredAndTheRebalanceGoesOnWithoutIt', async () => {
    const h = new MembershipHarness();
    const a = await h.joinNew({ clientId: 'a' });
    const b = await h.joinNew({ clientId: 'b' });
    await h.leave([{ memberId: b.memberId, groupInstanceId: null, reason: null }]);
    await h.finishInitialDelay();
    expect(b.joined.answer()?.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(a.joined.answer()).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1 });
    expect(a.joined.answer()!.members).toHaveLength(1);
  });

  it('pendingMemberLeavesAndTheRebalanceNoLongerWaitsForIt', async () => {
    const h = new MembershipHarness();
    const [a, b] = await h.stableGroup(2);
    const pending = await h.join({ clientId: 'late' }).promise;
    const rejoinA = h.join({ memberId: a! });
    h.join({ memberId: b! });
    await settle();
    expect(rejoinA.answer()).toBeUndefined();
    const leave = await h.leave([{ memberId: pending.memberId, groupInstanceId: null, reason: null }]);
    expect(leave.members[0]!.errorCode).toBe(ErrorCode.NONE);
    await settle();
    expect(rejoinA.answer()).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2 });
  });
});

describe('ClassicGroupMembership lifecycle', () => {
  it('unloadAnswersParkedJoinsNotCoordinatorAndStopsEveryTimer', async () => {
    const h = new MembershipHarness();
    const a = await h.joinNew({ clientId: 'a' });
    await h.join({ clientId: 'pending' }).promise;
    h.membership.unload(h.group);
    await settle();
    expect(a.joined.answer()?.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(h.group.state).toBe('Dead');
    expect(h.time.pendingTimers).toBe(0);
  });

  it('unloadAnswersParkedSyncsNotCoordinator', async () => {
    const h = new MembershipHarness();
    const a = await h.joinNew({ clientId: 'a' });
    const b = await h.joinNew({ clientId: 'b' });
    await h.finishInitialDelay();
    const follower = h.sync(b.memberId, 1);
    h.membership.unload(h.group);
    await settle();
    expect(follower.answer()?.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(a.joined.answer()?.errorCode).toBe(ErrorCode.NONE);
    expect(h.time.pendingTimers).toBe(0);
  });

  it('loadedMembersMustHeartbeatWithinTheirSessionTimeout', async () => {
    const source = new MembershipHarness();
    const [a, b] = await source.stableGroup(2);
    const h = new MembershipHarness(ClassicGroup.fromRecord('g', source.group.toRecordValue(), 0));
    h.membership.onLoaded(h.group);
    expect(h.group.state).toBe('Stable');
    h.time.advance(SESSION_TIMEOUT_MS - 1);
    expect(await h.heartbeat(a!, 1)).toBe(ErrorCode.NONE);
    h.time.advance(1);
    expect(h.group.hasMember(b!)).toBe(false);
    expect(h.group.state).toBe('PreparingRebalance');
  });

  it('loadedGroupOverGroupMaxSizeRebalances', async () => {
    const source = new MembershipHarness();
    await source.stableGroup(3);
    const h = new MembershipHarness(ClassicGroup.fromRecord('g', source.group.toRecordValue(), 0));
    h.config = { ...h.config, groupMaxSize: 2 };
    h.membership.onLoaded(h.group);
    expect(h.group.state).toBe('PreparingRebalance');
  });
});

describe('ClassicGroupMembership describe and list', () => {
  it('describeOfAStableGroupShowsMembersMetadataAndAssignments', async () => {
    const h = new MembershipHarness();
    const [a] = await h.stableGroup(1);
    expect(h.membership.describe(h.group, 5, true)).toEqual({
      errorCode: ErrorCode.NONE,
      groupId: 'g',
      groupState: 'Stable',
      protocolType: 'consumer',
      protocolData: 'range',
      members: [
        { memberId: a, groupInstanceId: null, clientId: 'c0', clientHost: '/127.0.0.1', memberMetadata: subscription('t'), memberAssignment: Buffer.from(`assignment-${a}`) },
      ],
      authorizedOperations: GROUP_OPERATIONS,
    });
  });

  it('describeWhileRebalancingHidesMetadataAndProtocol', async () => {
    const h = new MembershipHarness();
    const [a] = await h.stableGroup(2);
    h.join({ memberId: a! });
    const described = h.membership.describe(h.group, 5);
    expect(described).toMatchObject({ groupState: 'PreparingRebalance', protocolData: '', authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED });
    expect(described.members.every((m) => m.memberMetadata.length === 0 && m.memberAssignment.length === 0)).toBe(true);
  });

  it('listedNamesStateTypeAndProtocolType', async () => {
    const h = new MembershipHarness();
    expect(h.membership.listed(h.group)).toEqual({ groupId: 'g', protocolType: '', groupState: 'Empty', groupType: 'classic' });
    await h.stableGroup(1);
    expect(h.membership.listed(h.group)).toEqual({ groupId: 'g', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' });
  });
});
