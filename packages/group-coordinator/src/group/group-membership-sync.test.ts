import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { MembershipHarness, REBALANCE_TIMEOUT_MS, SESSION_TIMEOUT_MS, settle } from './membership.test-support.js';

/** Two members joined generation 1 (a leads); nobody has synced yet. */
async function completingRebalance(h: MembershipHarness): Promise<[string, string]> {
  const a = await h.joinNew({ clientId: 'a' });
  const b = await h.joinNew({ clientId: 'b' });
  await h.finishInitialDelay();
  expect(h.group.state).toBe('CompletingRebalance');
  return [a.memberId, b.memberId];
}

describe('ClassicGroupMembership SyncGroup', () => {
  it('followersWaitForTheLeaderAndEveryMemberGetsItsAssignment', async () => {
    const h = new MembershipHarness();
    const [a, b] = await completingRebalance(h);
    const follower = h.sync(b, 1);
    await settle();
    expect(follower.answer()).toBeUndefined();
    const leader = h.sync(a, 1, [
      { memberId: a, assignment: Buffer.from('A') },
      { memberId: b, assignment: Buffer.from('B') },
    ]);
    await settle();
    expect(follower.answer()).toMatchObject({ errorCode: ErrorCode.NONE, protocolType: 'consumer', protocolName: 'range', assignment: Buffer.from('B') });
    expect(leader.answer()).toMatchObject({ errorCode: ErrorCode.NONE, assignment: Buffer.from('A') });
    expect(h.group.state).toBe('Stable');
    expect(h.stores).toHaveLength(1);
    expect(h.stores[0]!.members.map((m) => Buffer.from(m.assignment).toString())).toEqual(['A', 'B']);
  });

  it('memberLeftOutByTheLeaderGetsAnEmptyAssignment', async () => {
    const h = new MembershipHarness();
    const [a, b] = await completingRebalance(h);
    const follower = h.sync(b, 1);
    h.sync(a, 1, [{ memberId: a, assignment: Buffer.from('A') }]);
    await settle();
    expect(follower.answer()).toMatchObject({ errorCode: ErrorCode.NONE, assignment: Buffer.alloc(0) });
    expect(h.logs.lines).toContainEqual({ level: 'warn', msg: expect.stringContaining(`members ${b}`) });
  });

  it('syncInAStableGroupReturnsTheCurrentAssignment', async () => {
    const h = new MembershipHarness();
    const [a] = await h.stableGroup(2);
    const again = await h.sync(a!, 1).promise;
    expect(again).toMatchObject({ errorCode: ErrorCode.NONE, assignment: Buffer.from(`assignment-${a}`) });
  });

  it('failedStoreAnswersItsErrorToAllAndTheGroupRebalancesAgain', async () => {
    const h = new MembershipHarness();
    const [a, b] = await completingRebalance(h);
    h.storeErrorCode = ErrorCode.NOT_COORDINATOR;
    const follower = h.sync(b, 1);
    const leader = h.sync(a, 1, [
      { memberId: a, assignment: Buffer.from('A') },
      { memberId: b, assignment: Buffer.from('B') },
    ]);
    await settle();
    expect(leader.answer()).toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR, protocolName: null, assignment: Buffer.alloc(0) });
    expect(follower.answer()).toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR, assignment: Buffer.alloc(0) });
    expect(h.group.state).toBe('PreparingRebalance');
    expect(h.group.allMembers().every((m) => m.assignment.length === 0)).toBe(true);
  });

  it('syncWithWrongGenerationIsIllegalGeneration', async () => {
    const h = new MembershipHarness();
    const [a] = await h.stableGroup(1);
    expect((await h.sync(a!, 0).promise).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await h.sync(a!, 2).promise).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
  });

  it('syncOfAnUnknownMemberIsUnknownMemberId', async () => {
    const h = new MembershipHarness();
    await h.stableGroup(1);
    expect((await h.sync('stranger', 1).promise).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('syncDuringPreparingRebalanceIsRebalanceInProgress', async () => {
    const h = new MembershipHarness();
    const [a, b] = await h.stableGroup(2);
    h.join({ memberId: a! });
    expect((await h.sync(b!, 1).promise).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('syncV5WithAnotherProtocolTypeOrNameIsInconsistentGroupProtocol', async () => {
    const h = new MembershipHarness();
    const [a] = await h.stableGroup(1);
    expect((await h.sync(a!, 1, [], { protocolType: 'connect' }).promise).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await h.sync(a!, 1, [], { protocolName: 'roundrobin' }).promise).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    // v5 must name both; earlier versions have neither.
    expect((await h.sync(a!, 1, [], { protocolName: null }).promise).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await h.sync(a!, 1, [], { version: 4, protocolType: null, protocolName: null }).promise).errorCode).toBe(ErrorCode.NONE);
  });

  it('membersThatDoNotSyncWithinTheRebalanceTimeoutAreRemoved', async () => {
    const h = new MembershipHarness();
    const [a, b] = await completingRebalance(h);
    h.time.advance(5_000);
    expect(await h.heartbeat(b, 1)).toBe(ErrorCode.NONE);
    const leader = h.sync(a, 1, [
      { memberId: a, assignment: Buffer.from('A') },
      { memberId: b, assignment: Buffer.from('B') },
    ]);
    await settle();
    expect(leader.answer()?.errorCode).toBe(ErrorCode.NONE);
    for (let t = 5_000; t < REBALANCE_TIMEOUT_MS; t += 5_000) {
      h.time.advance(5_000);
      await h.heartbeat(a, 1);
      await h.heartbeat(b, 1);
    }
    expect(h.group.hasMember(b)).toBe(false);
    expect(h.group.state).toBe('PreparingRebalance');
  });
});

describe('ClassicGroupMembership Heartbeat', () => {
  it('heartbeatDuringPreparingRebalanceAsksToRejoin', async () => {
    const h = new MembershipHarness();
    const [a, b] = await h.stableGroup(2);
    h.join({ memberId: a! });
    expect(await h.heartbeat(b!, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('heartbeatInCompletingRebalanceAndStableIsNoneAndKeepsTheSession', async () => {
    const h = new MembershipHarness();
    const [a, b] = await completingRebalance(h);
    expect(await h.heartbeat(b, 1)).toBe(ErrorCode.NONE);
    h.sync(b, 1);
    h.sync(a, 1, [
      { memberId: a, assignment: Buffer.from('A') },
      { memberId: b, assignment: Buffer.from('B') },
    ]);
    await settle();
    expect(h.group.state).toBe('Stable');
    for (let i = 0; i < 5; i++) {
      h.time.advance(SESSION_TIMEOUT_MS - 1);
      expect(await h.heartbeat(a, 1)).toBe(ErrorCode.NONE);
      expect(await h.heartbeat(b, 1)).toBe(ErrorCode.NONE);
    }
    expect(h.group.size).toBe(2);
  });

  it('sessionTimeoutRemovesTheSilentMemberAndTheGroupRebalances', async () => {
    const h = new MembershipHarness();
    const [a, b] = await h.stableGroup(2);
    h.time.advance(SESSION_TIMEOUT_MS - 1);
    expect(await h.heartbeat(a!, 1)).toBe(ErrorCode.NONE);
    h.time.advance(1);
    expect(h.group.hasMember(b!)).toBe(false);
    expect(h.group.state).toBe('PreparingRebalance');
    expect(await h.heartbeat(a!, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoin = h.join({ memberId: a! });
    await settle();
    expect(rejoin.answer()).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2 });
  });

  it('heartbeatWithWrongGenerationIsIllegalGenerationAndUnknownMemberIsUnknownMemberId', async () => {
    const h = new MembershipHarness();
    const [a] = await h.stableGroup(1);
    expect(await h.heartbeat(a!, 7)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(await h.heartbeat('stranger', 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('heartbeatOfADeadGroupIsCoordinatorNotAvailable', async () => {
    const h = new MembershipHarness();
    const [a] = await h.stableGroup(1);
    h.group.transitionTo('Dead', h.time.now);
    expect(await h.heartbeat(a!, 1)).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });
});
