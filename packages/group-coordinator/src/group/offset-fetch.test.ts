import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { commitRequest, context, coordinatorFixture, fetchRequest } from './group-coordinator.test-support.js';

async function withCommits() {
  const fixture = coordinatorFixture();
  await fixture.elect();
  await fixture.coordinator.offsetCommit(commitRequest('g', { a: { 0: 10n, 2: 12n }, b: { 1: 21n } }, { metadata: 'm' }), context(8));
  await fixture.coordinator.offsetCommit(commitRequest('h', { c: { 0: 30n } }), context(8));
  return fixture;
}

describe('OffsetFetch', () => {
  it('listedPartitionsWithoutACommitAreMinusOneEmptyMetadataNoError', async () => {
    const { coordinator } = await withCommits();
    const response = await coordinator.offsetFetch(fetchRequest('g', { a: [0, 1], z: [0] }), context(1));
    expect(response.topics).toEqual([
      {
        name: 'a',
        partitions: [
          { partitionIndex: 0, committedOffset: 10n, committedLeaderEpoch: -1, metadata: 'm', errorCode: ErrorCode.NONE },
          { partitionIndex: 1, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE },
        ],
      },
      { name: 'z', partitions: [{ partitionIndex: 0, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE }] },
    ]);
  });

  it('nullTopicsFetchesEveryCommittedPartitionFromV2', async () => {
    const { coordinator } = await withCommits();
    const response = await coordinator.offsetFetch(fetchRequest('g', null), context(2));
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(response.topics.map((topic) => [topic.name, topic.partitions.map((p) => [p.partitionIndex, p.committedOffset])])).toEqual([
      [
        'a',
        [
          [0, 10n],
          [2, 12n],
        ],
      ],
      ['b', [[1, 21n]]],
    ]);
  });

  it('unknownGroupHasNoOffsetsAndNoError', async () => {
    const { coordinator } = await withCommits();
    const all = await coordinator.offsetFetch(fetchRequest('nobody', null), context(7));
    expect([all.errorCode, all.topics]).toEqual([ErrorCode.NONE, []]);
    const listed = await coordinator.offsetFetch(fetchRequest('nobody', { a: [0] }), context(7));
    expect(listed.topics[0]!.partitions[0]).toMatchObject({ committedOffset: -1n, errorCode: ErrorCode.NONE });
  });

  it('severalGroupsFromV8EachWithItsErrorCode', async () => {
    const fixture = coordinatorFixture({ partitions: 50 });
    // 'my-group' hashes to partition 12; 'g' to 3: only 3 is led here.
    await fixture.elect(3, 0);
    await fixture.coordinator.offsetCommit(commitRequest('g', { a: { 0: 10n } }), context(8));
    const response = await fixture.coordinator.offsetFetch(
      {
        groupId: '',
        topics: [],
        groups: [
          { groupId: 'g', memberId: 'ignored-for-classic-groups', memberEpoch: 99, topics: [{ name: 'a', partitionIndexes: [0] }] },
          { groupId: 'my-group', memberId: null, memberEpoch: -1, topics: null },
        ],
        requireStable: true,
      },
      context(9),
    );
    expect(response.groups.map((group) => [group.groupId, group.errorCode, group.topics.map((t) => t.partitions[0]!.committedOffset)])).toEqual([
      ['g', ErrorCode.NONE, [10n]],
      ['my-group', ErrorCode.NOT_COORDINATOR, []],
    ]);
  });
});
