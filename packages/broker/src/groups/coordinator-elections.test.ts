import { describe, expect, it } from 'vitest';
import { GROUP_METADATA_TOPIC } from '@kstream/metadata';
import { assignment, openManager } from '../partitions/partitions.test-support.js';
import { followCoordinatorElections } from './coordinator-elections.js';

async function followed() {
  const manager = await openManager();
  const calls: string[] = [];
  const unsubscribe = followCoordinatorElections(manager, {
    onElection: (partition, epoch) => void calls.push(`election ${partition}@${epoch}`),
    onResignation: (partition, epoch) => void calls.push(`resignation ${partition}@${epoch ?? 'any'}`),
  });
  return { manager, calls, unsubscribe };
}

describe('followCoordinatorElections', () => {
  it('offsetsPartitionsOnly: leading, following and losing __consumer_offsets partitions; other topics are not the coordinator\'s', async () => {
    const { manager, calls } = await followed();
    const offsets = (spec: Parameters<typeof assignment>[1]) => assignment(GROUP_METADATA_TOPIC, { replicas: [1, 2], ...spec });
    await manager.applyAssignment(assignment('orders', { partition: 3 }));
    await manager.applyAssignment(offsets({ partition: 3, leaderEpoch: 0 }));
    await manager.applyAssignment(offsets({ partition: 4, leader: 2, leaderEpoch: 5 }));
    await manager.applyAssignment(offsets({ partition: 3, leader: 2, leaderEpoch: 1 }));
    await manager.applyAssignment(offsets({ partition: 3, leader: 1, leaderEpoch: 2 }));
    await manager.removeTopic(offsets({}).state.topicId);
    expect(calls).toEqual(['election 3@0', 'resignation 4@5', 'resignation 3@1', 'election 3@2', 'resignation 3@any', 'resignation 4@any']);
  });

  it('unsubscribed: nothing more is told', async () => {
    const { manager, calls, unsubscribe } = await followed();
    unsubscribe();
    await manager.applyAssignment(assignment(GROUP_METADATA_TOPIC));
    expect(calls).toEqual([]);
  });
});
