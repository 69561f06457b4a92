import { describe, expect, it } from 'vitest';
import { commitRequest, context, coordinatorFixture } from './group-coordinator.test-support.js';

describe('groupLag', () => {
  it('lagIsLogEndMinusCommittedNeverBelowZeroAndUnknownWithoutALogEnd', async () => {
    const { coordinator, elect } = coordinatorFixture();
    await elect();
    await coordinator.offsetCommit(commitRequest('g', { b: { 0: 40n }, a: { 1: 5n, 0: 10n } }), context(8));
    const ends: Record<string, bigint> = { 'a/0': 25n, 'a/1': 3n };
    const lag = coordinator.groupLag('g', (topic, partition) => ends[`${topic}/${partition}`]);
    expect(lag).toEqual({
      groupId: 'g',
      state: 'Empty',
      partitions: [
        { topic: 'a', partition: 0, committedOffset: 10n, logEndOffset: 25n, lag: 15n },
        { topic: 'a', partition: 1, committedOffset: 5n, logEndOffset: 3n, lag: 0n },
        { topic: 'b', partition: 0, committedOffset: 40n, logEndOffset: undefined, lag: undefined },
      ],
      totalLag: 15n,
    });
  });

  it('unknownOrElsewhereGroupHasNoLag', async () => {
    const { coordinator, elect } = coordinatorFixture({ partitions: 50 });
    await elect(3, 0);
    expect(coordinator.groupLag('g', () => 0n)).toBeUndefined();
    expect(coordinator.groupLag('my-group', () => 0n)).toBeUndefined();
  });
});
