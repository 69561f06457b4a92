import { AUTHORIZED_OPERATIONS_OMITTED, ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { commitRequest, committed, context, coordinatorFixture, seed, storedGroup } from './group-coordinator.test-support.js';

async function withGroups() {
  const fixture = coordinatorFixture();
  await seed(fixture.log, 0, 0, [{ type: 'group', group: 'busy', value: storedGroup(2, [{ memberId: 'm-1' }]) }]);
  await fixture.elect(0, 1);
  await fixture.coordinator.offsetCommit(commitRequest('idle', { a: { 0: 1n, 1: 2n } }), context(8));
  return fixture;
}

describe('ListGroups, DescribeGroups, DeleteGroups', () => {
  it('listGroupsFiltersByStateInAnyCaseAndByType', async () => {
    const { coordinator } = await withGroups();
    const list = async (statesFilter: string[], typesFilter: string[] = []) =>
      (await coordinator.listGroups({ statesFilter, typesFilter }, context(5))).groups.map((g) => [g.groupId, g.protocolType, g.groupState, g.groupType]);
    expect(await list([])).toEqual([
      ['busy', 'consumer', 'Stable', 'classic'],
      ['idle', '', 'Empty', 'classic'],
    ]);
    expect(await list(['STABLE'])).toEqual([['busy', 'consumer', 'Stable', 'classic']]);
    expect(await list([], ['Classic'])).toHaveLength(2);
    expect(await list([], ['consumer'])).toEqual([]);
  });

  it('describeUnknownGroupIsDeadWithoutError', async () => {
    const { coordinator } = await withGroups();
    const response = await coordinator.describeGroups({ groups: ['nobody', 'busy'], includeAuthorizedOperations: false }, context(3));
    expect(response.groups[0]).toEqual({
      errorCode: ErrorCode.NONE,
      groupId: 'nobody',
      groupState: 'Dead',
      protocolType: '',
      protocolData: '',
      members: [],
      authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
    });
    expect(response.groups[1]).toMatchObject({ groupId: 'busy', groupState: 'Stable', protocolData: 'range' });
  });

  it('deleteGroupsDeletesEmptyGroupsWithTheirOffsetsAndRefusesTheRest', async () => {
    const { coordinator, log } = await withGroups();
    const before = log.logEndOffset(0)!;
    const response = await coordinator.deleteGroups({ groupsNames: ['idle', 'busy', 'nobody'] }, context(2));
    expect(response.results).toEqual([
      { groupId: 'idle', errorCode: ErrorCode.NONE },
      { groupId: 'busy', errorCode: ErrorCode.NON_EMPTY_GROUP },
      { groupId: 'nobody', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
    // Two offset tombstones and the group's.
    expect(log.logEndOffset(0)! - before).toBe(3n);
    expect(await committed(coordinator, 'idle')).toEqual({});
    const again = await coordinator.deleteGroups({ groupsNames: ['idle'] }, context(2));
    expect(again.results).toEqual([{ groupId: 'idle', errorCode: ErrorCode.GROUP_ID_NOT_FOUND }]);
  });
});
