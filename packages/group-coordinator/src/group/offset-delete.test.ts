import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import { commitRequest, committed, context, coordinatorFixture, seed, storedGroup } from './group-coordinator.test-support.js';

const deleteRequest = (groupId: string, topics: Record<string, number[]>) => ({
  groupId,
  topics: Object.entries(topics).map(([name, partitions]) => ({ name, partitions: partitions.map((partitionIndex) => ({ partitionIndex })) })),
});

describe('OffsetDelete', () => {
  it('emptyGroupLosesTheListedOffsetsOnly', async () => {
    const { coordinator, log, elect } = coordinatorFixture();
    await elect();
    await coordinator.offsetCommit(commitRequest('g', { a: { 0: 1n, 1: 2n }, b: { 0: 3n } }), context(8));
    const before = log.logEndOffset(0)!;
    const response = await coordinator.offsetDelete(deleteRequest('g', { a: [0, 5] }), context(0));
    expect(response).toEqual({
      errorCode: ErrorCode.NONE,
      throttleTimeMs: 0,
      topics: [
        {
          name: 'a',
          partitions: [
            { partitionIndex: 0, errorCode: ErrorCode.NONE },
            { partitionIndex: 5, errorCode: ErrorCode.NONE },
          ],
        },
      ],
    });
    // One tombstone: partition 5 had no offset.
    expect(log.logEndOffset(0)! - before).toBe(1n);
    expect(await committed(coordinator, 'g')).toEqual({ 'a/1': 2n, 'b/0': 3n });
  });

  it('unknownGroupIsGroupIdNotFound', async () => {
    const { coordinator, elect } = coordinatorFixture();
    await elect();
    expect((await coordinator.offsetDelete(deleteRequest('nobody', { a: [0] }), context(0))).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it('consumerGroupKeepsTheOffsetsOfTopicsItSubscribesTo', async () => {
    const fixture = coordinatorFixture();
    await seed(fixture.log, 0, 0, [{ type: 'group', group: 'g', value: storedGroup(1, [{ memberId: 'm-1', topics: ['a'] }]) }]);
    await fixture.elect(0, 1);
    await fixture.coordinator.offsetCommit(commitRequest('g', { a: { 0: 1n }, b: { 0: 2n } }, { generation: 1, memberId: 'm-1' }), context(8));
    const response = await fixture.coordinator.offsetDelete(deleteRequest('g', { a: [0], b: [0] }), context(0));
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(response.topics.map((t) => [t.name, t.partitions[0]!.errorCode])).toEqual([
      ['a', ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC],
      ['b', ErrorCode.NONE],
    ]);
    expect(await committed(fixture.coordinator, 'g')).toEqual({ 'a/0': 1n });
  });

  it('nonEmptyGroupOfAnotherProtocolTypeIsNonEmptyGroup', async () => {
    const fixture = coordinatorFixture();
    await seed(fixture.log, 0, 0, [{ type: 'group', group: 'g', value: { ...storedGroup(1, [{ memberId: 'm-1' }]), protocolType: 'connect' } }]);
    await fixture.elect(0, 1);
    expect((await fixture.coordinator.offsetDelete(deleteRequest('g', { a: [0] }), context(0))).errorCode).toBe(ErrorCode.NON_EMPTY_GROUP);
  });
});
