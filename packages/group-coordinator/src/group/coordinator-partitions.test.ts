import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { settle } from './coordinator-log.test-support.js';
import { commitRequest, committed, context, coordinatorFixture, fetchRequest, loadsEnded, seed, storedGroup } from './group-coordinator.test-support.js';

const notCoordinator = async (fixture: ReturnType<typeof coordinatorFixture>, groupId = 'g') =>
  (await fixture.coordinator.offsetFetch(fetchRequest(groupId, null), context(8))).groups[0]!.errorCode;

describe('CoordinatorPartitions', () => {
  it('moveKeepsGroupsAndOffsets: a second coordinator loading the same log serves what the first wrote', async () => {
    const first = coordinatorFixture();
    await seed(first.log, 0, 0, [{ type: 'group', group: 'members', value: storedGroup(4, [{ memberId: 'm-1' }, { memberId: 'm-2' }]) }]);
    await first.elect(0, 1);
    await first.coordinator.offsetCommit(commitRequest('simple', { a: { 0: 10n, 1: 11n } }, { metadata: 'meta', leaderEpoch: 3 }), context(8));
    await first.coordinator.offsetCommit(commitRequest('simple', { a: { 0: 12n } }), context(8));
    await first.coordinator.offsetCommit(commitRequest('members', { b: { 0: 7n } }, { generation: 4, memberId: 'm-2' }), context(8));
    await first.coordinator.deleteGroups({ groupsNames: ['gone'] }, context(2));

    first.coordinator.onResignation(0, 2);
    expect(await notCoordinator(first, 'simple')).toBe(ErrorCode.NOT_COORDINATOR);

    const second = coordinatorFixture({ log: first.log });
    await second.elect(0, 2);
    expect(await committed(second.coordinator, 'simple')).toEqual({ 'a/0': 12n, 'a/1': 11n });
    expect(await committed(second.coordinator, 'members')).toEqual({ 'b/0': 7n });
    const fetched = await second.coordinator.offsetFetch(fetchRequest('simple', { a: [1] }), context(7));
    expect(fetched.topics[0]!.partitions[0]).toMatchObject({ committedOffset: 11n, committedLeaderEpoch: 3, metadata: 'meta' });
    const described = await second.coordinator.describeGroups({ groups: ['members', 'simple'], includeAuthorizedOperations: false }, context(5));
    expect(described.groups.map((g) => [g.groupState, g.protocolType, g.members.map((m) => m.memberId)])).toEqual([
      ['Stable', 'consumer', ['m-1', 'm-2']],
      ['Empty', '', []],
    ]);
    // The loaded generation still takes its members' commits.
    const again = await second.coordinator.offsetCommit(commitRequest('members', { b: { 0: 8n } }, { generation: 4, memberId: 'm-1' }), context(8));
    expect(again.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(second.logger.lines.filter((line) => line.level !== 'info')).toEqual([]);
  });

  it('resignationDuringLoadDiscardsIt', async () => {
    const fixture = coordinatorFixture();
    await seed(fixture.log, 0, 0, [{ type: 'offset', key: { group: 'g', topic: 't', partition: 0 }, value: null }]);
    const release = fixture.log.holdReads();
    await fixture.elect(0, 1);
    expect(await notCoordinator(fixture)).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    fixture.coordinator.onResignation(0, 2);
    release();
    await settle();
    expect(await notCoordinator(fixture)).toBe(ErrorCode.NOT_COORDINATOR);
    expect(fixture.logger.lines.some((line) => line.msg.includes('loaded'))).toBe(false);
  });

  it('newerElectionDuringLoadLoadsAgainUpToTheNewLogEnd', async () => {
    const fixture = coordinatorFixture();
    await seed(fixture.log, 0, 0, [{ type: 'offset', key: { group: 'g', topic: 't', partition: 0 }, value: null }]);
    const release = fixture.log.holdReads();
    await fixture.elect(0, 1);
    // Another leader's write, between the two elections.
    await seed(fixture.log, 0, 2, [
      { type: 'offset', key: { group: 'g', topic: 't', partition: 0 }, value: { offset: 42n, leaderEpoch: -1, metadata: '', commitTimestamp: 0n, expireTimestamp: -1n } },
    ]);
    await fixture.elect(0, 3);
    release();
    await loadsEnded(fixture.coordinator);
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 't/0': 42n });
    const loads = fixture.logger.lines.filter((line) => line.msg.includes('loaded'));
    expect(loads.map((line) => (line.fields as { leaderEpoch: number }).leaderEpoch)).toEqual([3]);
  });

  it('sameOrOlderElectionIsIgnoredAndStaleResignationToo', async () => {
    const fixture = coordinatorFixture();
    await fixture.elect(0, 3);
    await fixture.coordinator.offsetCommit(commitRequest('g', { t: { 0: 1n } }), context(8));
    fixture.coordinator.onElection(0, 3);
    fixture.coordinator.onElection(0, 2);
    fixture.coordinator.onResignation(0, 2);
    await settle();
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 't/0': 1n });
    expect(fixture.logger.lines.filter((line) => line.msg.includes('loaded'))).toHaveLength(1);
  });

  it('writeInFlightWhenThePartitionMovesIsNotCoordinatorAndNotApplied', async () => {
    const fixture = coordinatorFixture();
    await fixture.elect(0, 1);
    const release = fixture.log.holdAppends();
    const pending = fixture.coordinator.offsetCommit(commitRequest('g', { t: { 0: 5n } }), context(8));
    await settle();
    fixture.coordinator.onResignation(0);
    release();
    expect((await pending).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  });

  it('writeUnderAStaleEpochIsNotCoordinator: another broker leads the partition now', async () => {
    const fixture = coordinatorFixture();
    await fixture.elect(0, 1);
    await fixture.coordinator.offsetCommit(commitRequest('g', { t: { 0: 1n } }), context(8));
    fixture.log.lead(0, 2);
    const response = await fixture.coordinator.offsetCommit(commitRequest('g', { t: { 0: 2n } }), context(8));
    expect(response.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 't/0': 1n });
  });

  it('unreadableLogLeavesThePartitionUnloaded', async () => {
    const fixture = coordinatorFixture();
    await seed(fixture.log, 0, 0, [{ type: 'offset', key: { group: 'g', topic: 't', partition: 0 }, value: null }]);
    const read = fixture.log.read.bind(fixture.log);
    fixture.log.read = async (partition, offset, maxBytes) => {
      const bytes = Buffer.from(await read(partition, offset, maxBytes));
      bytes[bytes.length - 1] ^= 0xff;
      return bytes;
    };
    await fixture.elect(0, 1);
    expect(await notCoordinator(fixture)).toBe(ErrorCode.NOT_COORDINATOR);
    expect(fixture.logger.lines.filter((line) => line.level === 'error')).toHaveLength(1);
  });
});
