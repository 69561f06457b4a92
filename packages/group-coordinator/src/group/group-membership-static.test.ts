import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { MembershipHarness, REBALANCE_TIMEOUT_MS, SESSION_TIMEOUT_MS, settle, subscription } from './membership.test-support.js';

/** Static members a (leader) and b, Stable in generation 1 with `assignment-<memberId>` each. */
async function stableStaticGroup(h: MembershipHarness): Promise<[string, string]> {
  const a = h.join({ groupInstanceId: 'inst-a', clientId: 'a' });
  const b = h.join({ groupInstanceId: 'inst-b', clientId: 'b' });
  await h.finishInitialDelay();
  const ids: [string, string] = [a.answer()!.memberId, b.answer()!.memberId];
  await h.syncAll(ids);
  expect(h.group.state).toBe('Stable');
  return ids;
}

describe('ClassicGroupMembership static members', () => {
  it('staticMemberJoinsWithoutMemberIdRequired', async () => {
    const h = new MembershipHarness();
    const join = h.join({ groupInstanceId: 'inst-a', version: 5 });
    await h.finishInitialDelay();
    expect(join.answer()).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1 });
    expect(join.answer()!.memberId).toMatch(/^inst-a-/);
    expect(join.answer()!.members).toEqual([{ memberId: join.answer()!.memberId, groupInstanceId: 'inst-a', metadata: subscription('t') }]);
  });

  it('staticMemberRejoinDoesNotRebalance', async () => {
    const h = new MembershipHarness();
    const [a, b] = await stableStaticGroup(h);
    const restarted = await h.join({ groupInstanceId: 'inst-b', clientId: 'b' }).promise;
    expect(restarted).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, leader: a, members: [] });
    expect(restarted.memberId).not.toBe(b);
    expect(h.group.state).toBe('Stable');
    expect(h.group.generationId).toBe(1);
    expect(h.group.memberIdOfInstance('inst-b')).toBe(restarted.memberId);
    expect(h.stores.at(-1)!.members.map((m) => m.memberId)).toEqual([a, restarted.memberId]);
    // Its assignment is kept under the new id.
    expect((await h.sync(restarted.memberId, 1, [], { groupInstanceId: 'inst-b' }).promise).assignment).toEqual(Buffer.from(`assignment-${b}`));
  });

  it('oldStaticMemberIdIsFenced', async () => {
    const h = new MembershipHarness();
    const [, b] = await stableStaticGroup(h);
    await h.join({ groupInstanceId: 'inst-b' }).promise;
    expect(await h.heartbeat(b, 1, 'inst-b')).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect((await h.sync(b, 1, [], { groupInstanceId: 'inst-b' }).promise).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect((await h.join({ memberId: b, groupInstanceId: 'inst-b' }).promise).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    const leave = await h.leave([{ memberId: b, groupInstanceId: 'inst-b', reason: null }]);
    expect(leave.members).toEqual([{ memberId: b, groupInstanceId: 'inst-b', errorCode: ErrorCode.FENCED_INSTANCE_ID }]);
    expect(h.group.size).toBe(2);
  });

  it('staticLeaderRejoiningV9IsToldToSkipTheAssignment', async () => {
    const h = new MembershipHarness();
    const [a] = await stableStaticGroup(h);
    const restarted = await h.join({ groupInstanceId: 'inst-a', version: 9 }).promise;
    expect(restarted).toMatchObject({ errorCode: ErrorCode.NONE, skipAssignment: true, leader: restarted.memberId, generationId: 1 });
    expect(restarted.memberId).not.toBe(a);
    expect(restarted.members).toHaveLength(2);
    expect(h.group.state).toBe('Stable');
  });

  it('staticLeaderRejoiningBeforeV9IsToldTheOldLeaderId', async () => {
    const h = new MembershipHarness();
    const [a] = await stableStaticGroup(h);
    const restarted = await h.join({ groupInstanceId: 'inst-a', version: 8 }).promise;
    expect(restarted).toMatchObject({ errorCode: ErrorCode.NONE, skipAssignment: false, leader: a, members: [] });
    expect(h.group.leaderId).toBe(restarted.memberId);
  });

  it('staticRejoinThatChangesTheChosenProtocolRebalances', async () => {
    const h = new MembershipHarness();
    h.join({
      groupInstanceId: 'inst-a',
      protocols: [
        { name: 'range', metadata: subscription('t') },
        { name: 'rr', metadata: subscription('t') },
      ],
    });
    await h.finishInitialDelay();
    await h.syncAll([h.group.memberIdOfInstance('inst-a')!]);
    const rejoin = h.join({ groupInstanceId: 'inst-a', protocols: [{ name: 'rr', metadata: subscription('t') }] });
    await settle();
    // Its only member has rejoined: the rebalance completes at once, in a new generation with the new protocol.
    expect(rejoin.answer()).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, protocolName: 'rr' });
    expect(h.stores).toHaveLength(1);
  });

  it('failedStoreOfAStaticRejoinRestoresTheOldMemberId', async () => {
    const h = new MembershipHarness();
    const [, b] = await stableStaticGroup(h);
    h.storeErrorCode = ErrorCode.NOT_ENOUGH_REPLICAS;
    const restarted = await h.join({ groupInstanceId: 'inst-b' }).promise;
    expect(restarted).toMatchObject({ errorCode: ErrorCode.NOT_ENOUGH_REPLICAS, memberId: '' });
    expect(h.group.memberIdOfInstance('inst-b')).toBe(b);
    expect(await h.heartbeat(b, 1, 'inst-b')).toBe(ErrorCode.NONE);
  });

  it('staticRejoinWhoseStoreIsOvertakenByARebalanceKeepsTheNewMemberId', async () => {
    const h = new MembershipHarness();
    const [a] = await stableStaticGroup(h);
    h.storeDelayMs = 500;
    h.storeErrorCode = ErrorCode.NOT_ENOUGH_REPLICAS;
    const restarted = h.join({ groupInstanceId: 'inst-b' });
    // The leader rejoins while the store is in flight: both are in the rebalance, which completes at once.
    h.join({ memberId: a, groupInstanceId: 'inst-a' });
    await settle();
    expect(restarted.answer()).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2 });
    h.time.advance(500);
    await settle();
    // The late failed store must not restore the old member id.
    expect(h.group.memberIdOfInstance('inst-b')).toBe(restarted.answer()!.memberId);
  });

  it('staticMemberRestartWithinItsSessionTimeoutKeepsTheGroupStable', async () => {
    const h = new MembershipHarness();
    const [a] = await stableStaticGroup(h);
    // b goes silent for most of its session timeout, then comes back with a new process.
    for (let t = 0; t < SESSION_TIMEOUT_MS - 2_000; t += 2_000) {
      h.time.advance(2_000);
      await h.heartbeat(a, 1);
    }
    const restarted = await h.join({ groupInstanceId: 'inst-b' }).promise;
    expect(await h.heartbeat(restarted.memberId, 1, 'inst-b')).toBe(ErrorCode.NONE);
    h.time.advance(SESSION_TIMEOUT_MS - 1);
    await h.heartbeat(a, 1);
    expect(h.group.state).toBe('Stable');
    expect(h.group.generationId).toBe(1);
  });

  it('staticMemberThatDoesNotRejoinStaysThroughTheRebalance', async () => {
    const h = new MembershipHarness();
    const [a, b] = await stableStaticGroup(h);
    const rejoin = h.join({ memberId: a, groupInstanceId: 'inst-a' });
    for (let t = 0; t < REBALANCE_TIMEOUT_MS; t += 5_000) {
      h.time.advance(5_000);
      await h.heartbeat(b, 1, 'inst-b');
    }
    await settle();
    expect(rejoin.answer()).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2 });
    expect(h.group.hasMember(b)).toBe(true);
  });

  it('staticMemberLeavesByItsInstanceId', async () => {
    const h = new MembershipHarness();
    const [, b] = await stableStaticGroup(h);
    const leave = await h.leave([
      { memberId: '', groupInstanceId: 'inst-b', reason: 'admin' },
      { memberId: '', groupInstanceId: 'inst-z', reason: null },
    ]);
    expect(leave).toMatchObject({
      errorCode: ErrorCode.NONE,
      members: [
        { memberId: '', groupInstanceId: 'inst-b', errorCode: ErrorCode.NONE },
        { memberId: '', groupInstanceId: 'inst-z', errorCode: ErrorCode.UNKNOWN_MEMBER_ID },
      ],
    });
    expect(h.group.hasMember(b)).toBe(false);
    expect(h.group.memberIdOfInstance('inst-b')).toBeUndefined();
    expect(h.group.state).toBe('PreparingRebalance');
  });
});
