import { describe, expect, it } from 'vitest';
import { contextOf, partitionRecord, recordsOf, stateWith } from './elections.test-support.js';
import { fenceChanges, registrationChanges } from './partition-elections.js';

describe('partition elections', () => {
  it('fencedLeaderMovesToNextIsrMember: the first live ISR member in replica order leads, both epochs bumped, the fenced broker leaves the ISR', async () => {
    const state = stateWith(3, [{ replicas: [1, 3, 2], isr: [2, 3, 1], leader: 1, leaderEpoch: 4, partitionEpoch: 7 }]);
    const changes = await fenceChanges(contextOf(state, { fencing: 1 }), 1);
    expect(recordsOf(changes)).toEqual([partitionRecord(0, { replicas: [1, 3, 2], isr: [2, 3], leader: 3, leaderEpoch: 5, partitionEpoch: 8 })]);
  });

  it('fencedLeaderSkipsDeadIsrMembers: a fenced or shutting-down ISR member is never elected', async () => {
    const state = stateWith(4, [{ replicas: [1, 2, 3, 4], isr: [1, 2, 3, 4], leader: 1 }], [2]);
    const changes = await fenceChanges(contextOf(state, { fencing: 1, shuttingDown: [3] }), 1);
    expect(changes.map((c) => c.record.leader)).toEqual([4]);
  });

  it('lastIsrMemberFencedKeepsIsr: the partition has no leader and keeps the broker in its ISR', async () => {
    const state = stateWith(3, [{ replicas: [1, 2, 3], isr: [1], leader: 1, leaderEpoch: 2, partitionEpoch: 3 }]);
    const changes = await fenceChanges(contextOf(state, { fencing: 1 }), 1);
    expect(recordsOf(changes)).toEqual([partitionRecord(0, { replicas: [1, 2, 3], isr: [1], leader: -1, leaderEpoch: 3, partitionEpoch: 4 })]);
  });

  it('lastIsrMemberComesBack: its registration makes it leader again, clean', async () => {
    const state = stateWith(3, [{ replicas: [1, 2, 3], isr: [1], leader: -1, leaderEpoch: 3, partitionEpoch: 4 }], [1]);
    const changes = await registrationChanges(contextOf(state, { registering: 1 }), 1);
    expect(recordsOf(changes)).toEqual([partitionRecord(0, { replicas: [1, 2, 3], isr: [1], leader: 1, leaderEpoch: 4, partitionEpoch: 5 })]);
    expect(changes[0]!.unclean).toBe(false);
  });

  it('returningReplicaOutsideIsrDoesNotLead: a leaderless partition waits for its ISR member unless unclean election is on', async () => {
    const state = stateWith(3, [{ replicas: [1, 2, 3], isr: [1], leader: -1 }], [1, 2]);
    expect(await registrationChanges(contextOf(state, { registering: 2 }), 2)).toEqual([]);
    const unclean = await registrationChanges(contextOf(state, { registering: 2, unclean: true }), 2);
    expect(recordsOf(unclean)).toEqual([partitionRecord(0, { replicas: [1, 2, 3], isr: [2], leader: 2, leaderEpoch: 1, partitionEpoch: 1 })]);
    expect(unclean[0]!.unclean).toBe(true);
  });

  it('returningBrokerDoesNotRejoinIsr: partitions that have a leader are left to it', async () => {
    const state = stateWith(3, [{ replicas: [1, 2, 3], isr: [2, 3], leader: 2 }], [1]);
    expect(await registrationChanges(contextOf(state, { registering: 1 }), 1)).toEqual([]);
  });

  it('fencedFollowerLeavesIsr: partition epoch bumped, leader and leader epoch unchanged', async () => {
    const state = stateWith(3, [{ replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, leaderEpoch: 2, partitionEpoch: 5 }]);
    const changes = await fenceChanges(contextOf(state, { fencing: 2 }), 2);
    expect(recordsOf(changes)).toEqual([partitionRecord(0, { replicas: [1, 2, 3], isr: [1, 3], leader: 1, leaderEpoch: 2, partitionEpoch: 6 })]);
  });

  it('fenceLeavesOtherPartitionsAlone: a partition the broker does not replicate, or whose ISR it is not in, is unchanged', async () => {
    const state = stateWith(3, [
      { replicas: [2, 3], leader: 2 },
      { replicas: [1, 2], isr: [2], leader: 2 },
    ]);
    expect(await fenceChanges(contextOf(state, { fencing: 1 }), 1)).toEqual([]);
  });

  it('uncleanElectionOnlyWhenEnabled: with no live ISR member, any live replica leads only under unclean.leader.election.enable', async () => {
    const state = stateWith(3, [{ replicas: [1, 2, 3], isr: [1], leader: 1 }]);
    expect((await fenceChanges(contextOf(state, { fencing: 1 }), 1)).map((c) => c.record.leader)).toEqual([-1]);
    const unclean = await fenceChanges(contextOf(state, { fencing: 1, unclean: true }), 1);
    expect(recordsOf(unclean)).toEqual([partitionRecord(0, { replicas: [1, 2, 3], isr: [2], leader: 2, leaderEpoch: 1, partitionEpoch: 1 })]);
  });

  it('uncleanElectionTopicConfigOverridesBroker: the topic key wins over the broker synonym', async () => {
    const state = stateWith(2, [{ replicas: [1, 2], isr: [1], leader: 1 }]);
    state.apply({ type: 'Config', resourceType: 'topic', resourceName: 't', name: 'unclean.leader.election.enable', value: 'true' });
    expect((await fenceChanges(contextOf(state, { fencing: 1 }), 1)).map((c) => c.record.leader)).toEqual([2]);
    state.apply({ type: 'Config', resourceType: 'topic', resourceName: 't', name: 'unclean.leader.election.enable', value: 'false' });
    expect((await fenceChanges(contextOf(state, { fencing: 1, unclean: true }), 1)).map((c) => c.record.leader)).toEqual([-1]);
  });
});
