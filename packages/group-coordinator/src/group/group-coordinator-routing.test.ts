import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { coordinatorPartition } from './coordinator-partition.js';
import { commitRequest, context, coordinatorFixture, fetchRequest, joinRequest, loadsEnded, seed } from './group-coordinator.test-support.js';

describe('GroupCoordinator routing', () => {
  it('groupOfAPartitionNotLedHereIsNotCoordinator: every API answers NOT_COORDINATOR in its own shape', async () => {
    const { coordinator, elect } = coordinatorFixture({ partitions: 50 });
    // 'my-group' hashes to partition 12 of 50; only partition 0 is led here.
    await elect(0, 1);
    expect(coordinatorPartition('my-group', 50)).toBe(12);

    const commit = await coordinator.offsetCommit(commitRequest('my-group', { t: { 0: 5n } }), context(8));
    expect(commit.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    const fetchV1 = await coordinator.offsetFetch(fetchRequest('my-group', { t: [0, 1] }), context(1));
    expect(fetchV1.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([ErrorCode.NOT_COORDINATOR, ErrorCode.NOT_COORDINATOR]);
    const fetchV5 = await coordinator.offsetFetch(fetchRequest('my-group', { t: [0] }), context(5));
    expect(fetchV5.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(fetchV5.topics).toEqual([]);
    const fetchV8 = await coordinator.offsetFetch(fetchRequest('my-group', null), context(8));
    expect(fetchV8.groups[0]!.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    const join = await coordinator.joinGroup(joinRequest('my-group'), context(5));
    expect(join.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(join.protocolName).toBe('');
    const heartbeat = await coordinator.heartbeat({ groupId: 'my-group', generationId: 1, memberId: 'm', groupInstanceId: null }, context(3));
    expect(heartbeat.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    const described = await coordinator.describeGroups({ groups: ['my-group'], includeAuthorizedOperations: false }, context(5));
    expect(described.groups[0]!.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    const deleted = await coordinator.deleteGroups({ groupsNames: ['my-group'] }, context(2));
    expect(deleted.results[0]!.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    const offsetDelete = await coordinator.offsetDelete({ groupId: 'my-group', topics: [] }, context(0));
    expect(offsetDelete.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  });

  it('loadingPartitionIsLoadInProgressButHeartbeatsPassBlindly', async () => {
    const { coordinator, log, elect } = coordinatorFixture();
    await seed(log, 0, 0, [{ type: 'offset', key: { group: 'g', topic: 't', partition: 0 }, value: null }]);
    const release = log.holdReads();
    await elect(0, 1);

    const commit = await coordinator.offsetCommit(commitRequest('g', { t: { 0: 5n } }), context(8));
    expect(commit.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    const fetch = await coordinator.offsetFetch(fetchRequest('g', null), context(8));
    expect(fetch.groups[0]!.errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    const list = await coordinator.listGroups({ statesFilter: [], typesFilter: [] }, context(4));
    expect(list.errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    const heartbeat = await coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null }, context(3));
    expect(heartbeat.errorCode).toBe(ErrorCode.NONE);

    release();
    await loadsEnded(coordinator);
    const after = await coordinator.offsetCommit(commitRequest('g', { t: { 0: 5n } }), context(8));
    expect(after.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
  });

  it('emptyGroupIdIsInvalidForMembershipAndOffsetDeleteButAGroupForOffsets', async () => {
    const { coordinator, elect } = coordinatorFixture();
    await elect();
    expect((await coordinator.joinGroup(joinRequest(''), context(7))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    const sync = await coordinator.syncGroup(
      { groupId: '', generationId: 1, memberId: 'm', groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] },
      context(3),
    );
    expect(sync.errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await coordinator.heartbeat({ groupId: '', generationId: 1, memberId: 'm', groupInstanceId: null }, context(3))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await coordinator.leaveGroup({ groupId: '', memberId: 'm', members: [] }, context(1))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await coordinator.offsetDelete({ groupId: '', topics: [] }, context(0))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);

    // Kafka keeps OffsetCommit/OffsetFetch working for the empty group id (old clients).
    const commit = await coordinator.offsetCommit(commitRequest('', { t: { 0: 9n } }), context(2));
    expect(commit.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    const fetch = await coordinator.offsetFetch(fetchRequest('', { t: [0] }), context(2));
    expect(fetch.topics[0]!.partitions[0]!.committedOffset).toBe(9n);
  });

  it('unknownGroupAnswersUnknownMemberForSyncHeartbeatLeaveAndJoinWithAMemberId', async () => {
    const { coordinator, elect } = coordinatorFixture();
    await elect();
    expect((await coordinator.joinGroup(joinRequest('g', 'stale-member'), context(7))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const sync = await coordinator.syncGroup(
      { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] },
      context(3),
    );
    expect(sync.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null }, context(3))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await coordinator.leaveGroup({ groupId: 'g', memberId: 'm', members: [] }, context(2))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const leaveV3 = await coordinator.leaveGroup({ groupId: 'g', memberId: '', members: [{ memberId: 'm', groupInstanceId: 'i', reason: null }] }, context(3));
    expect(leaveV3.errorCode).toBe(ErrorCode.NONE);
    expect(leaveV3.members).toEqual([{ memberId: 'm', groupInstanceId: 'i', errorCode: ErrorCode.UNKNOWN_MEMBER_ID }]);
  });

  it('closedCoordinatorIsNotAvailable', async () => {
    const { coordinator, elect } = coordinatorFixture();
    await elect();
    coordinator.close();
    const commit = await coordinator.offsetCommit(commitRequest('g', { t: { 0: 1n } }), context(8));
    expect(commit.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect((await coordinator.listGroups({ statesFilter: [], typesFilter: [] }, context(4))).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });
});
