import { describe, expect, it } from 'vitest';
import { GROUP_METADATA_TOPIC, TRANSACTION_STATE_TOPIC } from '@kstream/metadata';
import { assignment, openManager } from '../partitions/partitions.test-support.js';
import { electLedCoordinatorPartitions, followCoordinatorElections, resignLedCoordinatorPartitions } from './coordinator-elections.js';

function recording(calls: string[]) {
  return {
    onElection: (partition: number, epoch: number) => void calls.push(`election ${partition}@${epoch}`),
    onResignation: (partition: number, epoch?: number) => void calls.push(`resignation ${partition}@${epoch ?? 'any'}`),
  };
}

async function followed(topic = GROUP_METADATA_TOPIC) {
  const manager = await openManager();
  const calls: string[] = [];
  const unsubscribe = followCoordinatorElections(manager, topic, recording(calls));
  return { manager, calls, unsubscribe };
}

describe('followCoordinatorElections', () => {
  it("offsetsPartitionsOnly: leading, following and losing __consumer_offsets partitions; other topics are not the coordinator's", async () => {
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

  it('transactionStateFollowedApart: the transaction coordinator hears of __transaction_state only, not of __consumer_offsets', async () => {
    const { manager, calls } = await followed(TRANSACTION_STATE_TOPIC);
    await manager.applyAssignment(assignment(GROUP_METADATA_TOPIC, { partition: 1 }));
    await manager.applyAssignment(assignment(TRANSACTION_STATE_TOPIC, { partition: 2, leaderEpoch: 3 }));
    expect(calls).toEqual(['election 2@3']);
  });

  it('sessionLapseResignsAndRestoreElects: only the led partitions of the topic, at their current epochs', async () => {
    const manager = await openManager();
    await manager.applyAssignment(assignment(TRANSACTION_STATE_TOPIC, { partition: 0, leaderEpoch: 4 }));
    await manager.applyAssignment(assignment(TRANSACTION_STATE_TOPIC, { partition: 1, replicas: [2, 1], leader: 2 }));
    await manager.applyAssignment(assignment(GROUP_METADATA_TOPIC, { partition: 0 }));
    const calls: string[] = [];
    resignLedCoordinatorPartitions(manager, TRANSACTION_STATE_TOPIC, recording(calls));
    electLedCoordinatorPartitions(manager, TRANSACTION_STATE_TOPIC, recording(calls));
    expect(calls).toEqual(['resignation 0@any', 'election 0@4']);
  });
});
