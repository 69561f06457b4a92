import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { settle } from './coordinator-log.test-support.js';
import { commitRequest, committed, context, coordinatorFixture, fetchRequest, joinRequest, seed, storedGroup } from './group-coordinator.test-support.js';

const errorsOf = (response: { topics: { partitions: { errorCode: number }[] }[] }) => response.topics.flatMap((topic) => topic.partitions.map((partition) => partition.errorCode));

/** A coordinator whose group "g" was stored Stable in generation 4 with members m-1 and m-2 (m-2 static as "instance-2"). */
async function withStableGroup(members = [{ memberId: 'm-1' }, { memberId: 'm-2', groupInstanceId: 'instance-2' }]) {
  const fixture = coordinatorFixture();
  await seed(fixture.log, 0, 0, [{ type: 'group', group: 'g', value: storedGroup(4, members) }]);
  await fixture.elect(0, 1);
  return fixture;
}

describe('OffsetCommit', () => {
  it('simpleCommitCreatesAnEmptyGroupWithoutProtocolType', async () => {
    const { coordinator, elect } = coordinatorFixture();
    await elect();
    const response = await coordinator.offsetCommit(commitRequest('simple', { t: { 0: 5n, 1: 6n } }), context(0));
    expect(errorsOf(response)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    expect(await committed(coordinator, 'simple')).toEqual({ 't/0': 5n, 't/1': 6n });
    const described = await coordinator.describeGroups({ groups: ['simple'], includeAuthorizedOperations: false }, context(5));
    expect(described.groups[0]).toMatchObject({ errorCode: ErrorCode.NONE, groupState: 'Empty', protocolType: '' });
  });

  it('memberCommitToAnUnknownGroupIsIllegalGenerationBeforeV9AndGroupIdNotFoundFrom', async () => {
    const { coordinator, elect } = coordinatorFixture();
    await elect();
    const v8 = await coordinator.offsetCommit(commitRequest('g', { t: { 0: 5n } }, { generation: 1, memberId: 'm' }), context(8));
    expect(errorsOf(v8)).toEqual([ErrorCode.ILLEGAL_GENERATION]);
    const v9 = await coordinator.offsetCommit(commitRequest('g', { t: { 0: 5n } }, { generation: 1, memberId: 'm' }), context(9));
    expect(errorsOf(v9)).toEqual([ErrorCode.GROUP_ID_NOT_FOUND]);
    expect(await committed(coordinator, 'g')).toEqual({});
  });

  it('simpleCommitToAGroupWithMembersIsUnknownMember', async () => {
    const { coordinator } = await withStableGroup();
    const response = await coordinator.offsetCommit(commitRequest('g', { t: { 0: 5n } }), context(1));
    expect(errorsOf(response)).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
  });

  it('memberChecks: unknown member, wrong generation, fenced and unknown static instance', async () => {
    const { coordinator } = await withStableGroup();
    const commit = async (options: Parameters<typeof commitRequest>[2], version = 8) =>
      errorsOf(await coordinator.offsetCommit(commitRequest('g', { t: { 0: 5n } }, options), context(version)))[0];
    expect(await commit({ generation: 4, memberId: 'stranger' })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await commit({ generation: 3, memberId: 'm-1' })).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(await commit({ generation: 4, memberId: 'm-1', groupInstanceId: 'instance-2' }, 7)).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(await commit({ generation: 4, memberId: 'm-2', groupInstanceId: 'instance-9' }, 7)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await commit({ generation: 4, memberId: 'm-2', groupInstanceId: 'instance-2' }, 7)).toBe(ErrorCode.NONE);
    expect(await commit({ generation: 4, memberId: 'm-1' }, 2)).toBe(ErrorCode.NONE);
  });

  it('preparingRebalanceTakesACurrentGenerationMembersCommit', async () => {
    const { coordinator } = await withStableGroup();
    // m-1 rejoins: the group waits in PreparingRebalance for m-2.
    void coordinator.joinGroup(joinRequest('g', 'm-1'), context(5));
    await settle();
    const listed = await coordinator.listGroups({ statesFilter: ['preparingrebalance'], typesFilter: [] }, context(4));
    expect(listed.groups.map((group) => group.groupId)).toEqual(['g']);
    const response = await coordinator.offsetCommit(commitRequest('g', { t: { 0: 5n } }, { generation: 4, memberId: 'm-2' }), context(8));
    expect(errorsOf(response)).toEqual([ErrorCode.NONE]);
  });

  it('completingRebalanceIsRebalanceInProgress', async () => {
    const { coordinator } = await withStableGroup([{ memberId: 'm-1' }]);
    const joined = await coordinator.joinGroup(joinRequest('g', 'm-1'), context(5));
    expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 5 });
    const response = await coordinator.offsetCommit(commitRequest('g', { t: { 0: 5n } }, { generation: 5, memberId: 'm-1' }), context(8));
    expect(errorsOf(response)).toEqual([ErrorCode.REBALANCE_IN_PROGRESS]);
  });

  it('commitsAloneKeepAMemberPastItsSessionTimeout', async () => {
    const fixture = coordinatorFixture();
    await seed(fixture.log, 0, 0, [
      { type: 'group', group: 'committer', value: storedGroup(4, [{ memberId: 'm-1' }]) },
      { type: 'group', group: 'idle', value: storedGroup(4, [{ memberId: 'm-2' }]) },
    ]);
    await fixture.elect(0, 1);
    // Three session timeouts (10 s each) of commits every 6 s and no heartbeat.
    for (let elapsed = 0; elapsed < 30_000; elapsed += 6_000) {
      await fixture.timers.advance(6_000);
      const response = await fixture.coordinator.offsetCommit(commitRequest('committer', { t: { 0: BigInt(elapsed) } }, { generation: 4, memberId: 'm-1' }), context(8));
      expect(errorsOf(response)).toEqual([ErrorCode.NONE]);
    }
    const described = await fixture.coordinator.describeGroups({ groups: ['committer', 'idle'], includeAuthorizedOperations: false }, context(5));
    expect(described.groups.map((group) => [group.groupId, group.groupState, group.members.map((member) => member.memberId)])).toEqual([
      ['committer', 'Stable', ['m-1']],
      ['idle', 'Empty', []],
    ]);
  });

  it('metadataTooLargeFailsOnlyItsPartition', async () => {
    const fixture = coordinatorFixture({ config: { offsetMetadataMaxBytes: 5 } });
    await fixture.elect();
    const request = commitRequest('g', { t: { 0: 1n } }, { metadata: 'six ch' });
    request.topics.push(commitRequest('g', { u: { 0: 2n } }, { metadata: 'five!' }).topics[0]!);
    request.topics.push(commitRequest('g', { v: { 0: 3n } }, { metadata: null }).topics[0]!);
    const response = await fixture.coordinator.offsetCommit(request, context(8));
    expect(errorsOf(response)).toEqual([ErrorCode.OFFSET_METADATA_TOO_LARGE, ErrorCode.NONE, ErrorCode.NONE]);
    const fetched = await fixture.coordinator.offsetFetch(fetchRequest('g', { t: [0], u: [0], v: [0] }), context(5));
    expect(fetched.topics.map((topic) => [topic.partitions[0]!.committedOffset, topic.partitions[0]!.metadata])).toEqual([
      [-1n, ''],
      [2n, 'five!'],
      [3n, ''],
    ]);
  });

  it('topicTheClusterHasNotIsUnknownTopicOrPartition', async () => {
    const fixture = coordinatorFixture({ topicExists: (topic) => topic !== 'deleted' });
    await fixture.elect();
    const request = commitRequest('g', { deleted: { 0: 1n, 1: 1n } });
    request.topics.push(commitRequest('g', { kept: { 0: 2n } }).topics[0]!);
    const response = await fixture.coordinator.offsetCommit(request, context(8));
    expect(errorsOf(response)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.NONE]);
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 'kept/0': 2n });
  });

  it('allPartitionsOfARequestGoInOneBatch', async () => {
    const { coordinator, log, elect } = coordinatorFixture();
    await elect();
    const before = log.appends;
    await coordinator.offsetCommit(commitRequest('g', { a: { 0: 1n, 1: 2n }, b: { 0: 3n } }), context(8));
    expect(log.appends - before).toBe(1);
    expect(log.logEndOffset(0)).toBe(3n);
  });

  it('leaderEpochIsKeptFromV6', async () => {
    const { coordinator, elect } = coordinatorFixture();
    await elect();
    await coordinator.offsetCommit(commitRequest('g', { t: { 0: 10n } }, { leaderEpoch: 7 }), context(6));
    const fetched = await coordinator.offsetFetch(fetchRequest('g', { t: [0] }), context(5));
    expect(fetched.topics[0]!.partitions[0]!.committedLeaderEpoch).toBe(7);
  });

  it('commitIsReadableOnlyOnceWritten', async () => {
    const { coordinator, log, elect } = coordinatorFixture();
    await elect();
    const release = log.holdAppends();
    const pending = coordinator.offsetCommit(commitRequest('g', { t: { 0: 10n } }), context(8));
    await settle();
    expect(await committed(coordinator, 'g')).toEqual({});
    release();
    expect(errorsOf(await pending)).toEqual([ErrorCode.NONE]);
    expect(await committed(coordinator, 'g')).toEqual({ 't/0': 10n });
  });
});
