import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { settle } from './coordinator-log.test-support.js';
import { context, coordinatorFixture, joinRequest } from './group-coordinator.test-support.js';

async function describeAfterMove(log: ReturnType<typeof coordinatorFixture>['log'], epoch: number) {
  const next = coordinatorFixture({ log });
  await next.elect(0, epoch);
  return (await next.coordinator.describeGroups({ groups: ['g'], includeAuthorizedOperations: false }, context(5))).groups[0]!;
}

describe('storeGroup', () => {
  it('rebalancedGroupAndItsEmptyingAreWrittenAndSurviveAMove', async () => {
    const { coordinator, log, timers, elect } = coordinatorFixture();
    await elect(0, 1);
    const required = await coordinator.joinGroup(joinRequest('g'), context(5));
    expect(required.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    const joining = coordinator.joinGroup(joinRequest('g', required.memberId), context(5));
    // The initial rebalance delay (0 here) is a timer.
    await timers.advance(0);
    const joined = await joining;
    expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, leader: required.memberId });
    const assignment = Buffer.from('assignment');
    const synced = await coordinator.syncGroup(
      {
        groupId: 'g',
        generationId: 1,
        memberId: required.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: [{ memberId: required.memberId, assignment }],
      },
      context(5),
    );
    expect(synced.errorCode).toBe(ErrorCode.NONE);

    const stable = await describeAfterMove(log, 2);
    expect(stable).toMatchObject({ groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(stable.members.map((member) => [member.memberId, Buffer.from(member.memberAssignment).toString()])).toEqual([[required.memberId, 'assignment']]);

    // The other coordinator only read the log at epoch 2; this one leads on at that epoch (a newer epoch keeps the state).
    coordinator.onElection(0, 2);
    const left = await coordinator.leaveGroup({ groupId: 'g', memberId: required.memberId, members: [] }, context(2));
    expect(left.errorCode).toBe(ErrorCode.NONE);
    await timers.advance(0);
    const here = await coordinator.describeGroups({ groups: ['g'], includeAuthorizedOperations: false }, context(5));
    expect(here.groups[0]!.groupState).toBe('Empty');
    const empty = await describeAfterMove(log, 3);
    expect(empty).toMatchObject({ groupState: 'Empty', protocolType: 'consumer', members: [] });
  });

  it('emptiedGroupWhoseWriteFailsIsLoggedAndStaysEmptyHere', async () => {
    const { coordinator, log, timers, logger, elect } = coordinatorFixture();
    await elect(0, 1);
    const required = await coordinator.joinGroup(joinRequest('g'), context(5));
    const joining = coordinator.joinGroup(joinRequest('g', required.memberId), context(5));
    await timers.advance(0);
    expect((await joining).errorCode).toBe(ErrorCode.NONE);
    log.failNext(ErrorCode.NOT_ENOUGH_REPLICAS);
    await coordinator.leaveGroup({ groupId: 'g', memberId: required.memberId, members: [] }, context(2));
    await timers.advance(0);
    await settle();
    expect(logger.lines.filter((line) => line.level === 'warn').map((line) => line.fields)).toEqual([
      { group: 'g', state: 'Empty', partition: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE },
    ]);
    const here = await coordinator.describeGroups({ groups: ['g'], includeAuthorizedOperations: false }, context(5));
    expect(here.groups[0]!.groupState).toBe('Empty');
  });
});
