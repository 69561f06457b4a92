import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@kstream/protocol';
import type { AlterPartitionReassignmentsRequest, MetadataState } from '@kstream/metadata';
import { alterPartition } from './controller-isr.js';
import { alterPartitionReassignments, listPartitionReassignments } from './controller-reassignments.js';
import { ControllerFixture, recordingLogger } from './controller.test-support.js';
import type { LogLine } from './controller.test-support.js';
import { contextOf, partitionRecord, recordsOf, stateWith, TOPIC_ID } from './elections.test-support.js';
import type { PartitionSpec } from './elections.test-support.js';

// t-0: replicas 1, 2, 3, all in sync, led by 1 at leader epoch 3, partition epoch 5; brokers 1..5.
const stable: PartitionSpec = { replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, leaderEpoch: 3, partitionEpoch: 5 };
// t-0 on its way from 1, 2, 3 to 2, 3, 4: 4 not caught up yet.
const moving: PartitionSpec = { replicas: [2, 3, 4, 1], isr: [1, 2, 3], leader: 1, leaderEpoch: 3, partitionEpoch: 6, addingReplicas: [4], removingReplicas: [1] };

function reassign(state: MetadataState, partitions: AlterPartitionReassignmentsRequest['topics'][number]['partitions'], name = 't') {
  return alterPartitionReassignments(contextOf(state), { type: 'AlterPartitionReassignments', topics: [{ name, partitions }] });
}

const codes = async (decision: ReturnType<typeof reassign>) => (await decision).results.flatMap((t) => t.partitions.map((p) => p.errorCode));

describe('AlterPartitionReassignments', () => {
  it('reassignmentStartsWithTargetThenRemoving: replicas T then the old ones, adding T - current, removing current - T; leader and ISR stay', async () => {
    const decision = await reassign(stateWith(5, [stable]), [{ partition: 0, replicas: [2, 3, 4] }]);
    expect(decision.results).toEqual([{ name: 't', partitions: [{ partition: 0, errorCode: ErrorCode.NONE, errorMessage: null }] }]);
    expect(recordsOf(decision.changes)).toEqual([partitionRecord(0, { ...moving, isr: [1, 2, 3] })]);
  });

  it('completesWhenTheLastAddingReplicaJoinsTheIsr: replicas T, ISR ∩ T, the leader moves off a removed replica with its epoch bumped', async () => {
    const state = stateWith(5, [moving]);
    const decision = await alterPartition(contextOf(state), {
      type: 'AlterPartition',
      brokerId: 1,
      brokerEpoch: 1,
      partitions: [{ topicId: TOPIC_ID, partition: 0, leaderEpoch: 3, partitionEpoch: 6, newIsr: [1, 2, 3, 4] }],
    });
    expect(recordsOf(decision.changes)).toEqual([partitionRecord(0, { replicas: [2, 3, 4], isr: [2, 3, 4], leader: 2, leaderEpoch: 4, partitionEpoch: 7 })]);
    expect(decision.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, leader: 2, leaderEpoch: 4, isr: [2, 3, 4], partitionEpoch: 7 });
  });

  it('isrExpansionBeforeAllAddingCaughtUpKeepsTheReassignment: one of two adding replicas in the ISR completes nothing', async () => {
    const state = stateWith(5, [{ ...moving, replicas: [4, 5, 1, 2, 3], addingReplicas: [4, 5], removingReplicas: [1, 2, 3] }]);
    const decision = await alterPartition(contextOf(state), {
      type: 'AlterPartition',
      brokerId: 1,
      brokerEpoch: 1,
      partitions: [{ topicId: TOPIC_ID, partition: 0, leaderEpoch: 3, partitionEpoch: 6, newIsr: [1, 2, 3, 4] }],
    });
    expect(recordsOf(decision.changes)).toEqual([
      partitionRecord(0, { replicas: [4, 5, 1, 2, 3], isr: [1, 2, 3, 4], leader: 1, leaderEpoch: 3, partitionEpoch: 7, addingReplicas: [4, 5], removingReplicas: [1, 2, 3] }),
    ]);
  });

  it('targetAlreadyInSyncCompletesAtOnce: dropping a replica is one record, and the leader leaves with it', async () => {
    const decision = await reassign(stateWith(5, [stable]), [{ partition: 0, replicas: [3, 2] }]);
    expect(recordsOf(decision.changes)).toEqual([partitionRecord(0, { replicas: [3, 2], isr: [2, 3], leader: 3, leaderEpoch: 4, partitionEpoch: 6 })]);
  });

  it('sameReplicasNothingToDo: the current replicas as target, with no reassignment ongoing, write nothing', async () => {
    const decision = reassign(stateWith(5, [stable]), [{ partition: 0, replicas: [1, 2, 3] }]);
    expect(await codes(decision)).toEqual([ErrorCode.NONE]);
    expect((await decision).changes).toEqual([]);
  });

  it('invalidTargets: empty, a broker twice or an unregistered broker is INVALID_REPLICA_ASSIGNMENT; nothing written', async () => {
    const decision = reassign(stateWith(5, [stable]), [
      { partition: 0, replicas: [] },
      { partition: 0, replicas: [2, 4, 2] },
      { partition: 0, replicas: [2, 9] },
    ]);
    expect((await decision).results[0]!.partitions).toEqual([
      { partition: 0, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'The target replicas of t-0 are empty.' },
      { partition: 0, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'The target replicas of t-0 (2, 4, 2) name broker 2 twice.' },
      { partition: 0, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'The target replicas of t-0 (2, 9) include broker 9, which is not registered.' },
    ]);
    expect((await decision).changes).toEqual([]);
  });

  it('unknownTopicOrPartition: UNKNOWN_TOPIC_OR_PARTITION, naming it', async () => {
    const state = stateWith(5, [stable]);
    const unknownPartition = await reassign(state, [{ partition: 1, replicas: [1] }]);
    expect(unknownPartition.results[0]!.partitions).toEqual([{ partition: 1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'No such partition as t-1.' }]);
    expect(await codes(reassign(state, [{ partition: 0, replicas: null }], 'nope'))).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  });

  it('cancelRestoresTheOriginalReplicas: adding replicas leave the replicas and the ISR, the leader stays; the order is the ongoing one, as in KRaft', async () => {
    const decision = await reassign(stateWith(5, [{ ...moving, isr: [1, 2, 3] }]), [{ partition: 0, replicas: null }]);
    expect(recordsOf(decision.changes)).toEqual([partitionRecord(0, { ...stable, replicas: [2, 3, 1], partitionEpoch: 7 })]);
  });

  it('cancelMovesTheLeaderOffAnAddingReplica: an adding replica that leads hands over to the first original one in the ISR', async () => {
    // From 1 to 2, 3: broker 1 died and adding replica 2, in the ISR, leads; 3 has not caught up.
    const state = stateWith(5, [{ replicas: [2, 3, 1], isr: [2, 1], leader: 2, leaderEpoch: 1, partitionEpoch: 2, addingReplicas: [2, 3], removingReplicas: [1] }]);
    const decision = await reassign(state, [{ partition: 0, replicas: null }]);
    expect(recordsOf(decision.changes)).toEqual([partitionRecord(0, { replicas: [1], isr: [1], leader: 1, leaderEpoch: 2, partitionEpoch: 3 })]);
  });

  it('cancelWithoutReassignment: NO_REASSIGNMENT_IN_PROGRESS', async () => {
    expect(await codes(reassign(stateWith(5, [stable]), [{ partition: 0, replicas: null }]))).toEqual([ErrorCode.NO_REASSIGNMENT_IN_PROGRESS]);
  });

  it('cancelThatWouldBeUnclean: with no original replica in the ISR the cancel is INVALID_REPLICA_ASSIGNMENT', async () => {
    const state = stateWith(5, [{ replicas: [2, 3, 1], isr: [2], leader: 2, leaderEpoch: 1, partitionEpoch: 2, addingReplicas: [2, 3], removingReplicas: [1] }]);
    const decision = await reassign(state, [{ partition: 0, replicas: null }]);
    expect(decision.results[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT });
    expect(decision.results[0]!.partitions[0]!.errorMessage).toContain('none of its original replicas (1) is in its ISR [2]');
    expect(decision.changes).toEqual([]);
  });

  it('newTargetDuringAReassignment: adding counts from the original replicas, the dropped adding replica is removed with the old ones', async () => {
    const decision = await reassign(stateWith(5, [moving]), [{ partition: 0, replicas: [2, 5] }]);
    expect(recordsOf(decision.changes)).toEqual([
      partitionRecord(0, { replicas: [2, 5, 3, 4, 1], isr: [1, 2, 3], leader: 1, leaderEpoch: 3, partitionEpoch: 7, addingReplicas: [5], removingReplicas: [3, 4, 1] }),
    ]);
  });

  it('partitionNamedTwice: the second entry is decided against the first, and one record holds both', async () => {
    const cancelled = await reassign(stateWith(5, [stable]), [
      { partition: 0, replicas: [2, 3, 4] },
      { partition: 0, replicas: null },
    ]);
    expect(recordsOf(cancelled.changes)).toEqual([partitionRecord(0, { ...stable, replicas: [2, 3, 1], partitionEpoch: 6 })]);
    const twice = await reassign(stateWith(5, [stable]), [
      { partition: 0, replicas: [2, 3, 4] },
      { partition: 0, replicas: [2, 3, 5] },
    ]);
    expect(recordsOf(twice.changes)).toEqual([
      partitionRecord(0, { replicas: [2, 3, 5, 4, 1], isr: [1, 2, 3], leader: 1, leaderEpoch: 3, partitionEpoch: 6, addingReplicas: [5], removingReplicas: [4, 1] }),
    ]);
  });
});

describe('ListPartitionReassignments', () => {
  const state = () => stateWith(5, [stable, moving, stable]);

  it('listsOngoingOnly: every partition, or the named ones; unknown topics and partitions left out', () => {
    const ongoing = { partition: 1, replicas: [2, 3, 4, 1], addingReplicas: [4], removingReplicas: [1] };
    expect(listPartitionReassignments(state(), { type: 'ListPartitionReassignments', topics: null })).toEqual([{ name: 't', partitions: [ongoing] }]);
    const named = [
      { name: 't', partitions: [0, 1, 1, 7] },
      { name: 'nope', partitions: [0] },
    ];
    expect(listPartitionReassignments(state(), { type: 'ListPartitionReassignments', topics: named })).toEqual([{ name: 't', partitions: [ongoing] }]);
    expect(listPartitionReassignments(state(), { type: 'ListPartitionReassignments', topics: [{ name: 't', partitions: [0, 2] }] })).toEqual([]);
  });
});

describe('reassignment through the controller', () => {
  const fixture = new ControllerFixture();
  beforeEach(() => fixture.setUp());
  afterEach(() => fixture.cleanUp());

  it('reassignThenCatchUpThenReplay: ongoing in the list, completed by the leader ISR expansion, kept across a reopen', async () => {
    const lines: LogLine[] = [];
    const controller = await fixture.openWithBrokers(4, { staticBrokerConfig: { 'auto.leader.rebalance.enable': 'false' }, logger: recordingLogger(lines) });
    await controller.handle({
      type: 'CreateTopics',
      topics: [{ name: 't', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2, 3] }], configs: [] }],
      validateOnly: false,
    });
    const reply = await controller.handle({ type: 'AlterPartitionReassignments', topics: [{ name: 't', partitions: [{ partition: 0, replicas: [2, 3, 4] }] }] });
    expect(reply.topics).toEqual([{ name: 't', partitions: [{ partition: 0, errorCode: ErrorCode.NONE, errorMessage: null }] }]);
    expect(controller.describe().metadataOffset).toBe(reply.metadataOffset + 1);
    const listed = await controller.handle({ type: 'ListPartitionReassignments', topics: null });
    expect(listed.topics).toEqual([{ name: 't', partitions: [{ partition: 0, replicas: [2, 3, 4, 1], addingReplicas: [4], removingReplicas: [1] }] }]);

    const p = controller.metadata.partition('t', 0)!;
    const { topicId } = controller.metadata.topicByName('t')!;
    const brokerEpoch = controller.metadata.broker(1)!.brokerEpoch;
    await controller.handle({
      type: 'AlterPartition',
      brokerId: 1,
      brokerEpoch,
      partitions: [{ topicId, partition: 0, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsr: [1, 2, 3, 4] }],
    });
    const done = { replicas: [2, 3, 4], isr: [2, 3, 4], leader: 2, leaderEpoch: p.leaderEpoch + 1, addingReplicas: [], removingReplicas: [] };
    expect(controller.metadata.partition('t', 0)).toMatchObject(done);
    expect((await controller.handle({ type: 'ListPartitionReassignments', topics: null })).topics).toEqual([]);
    expect(lines.filter((l) => l.msg.includes('reassignment')).map((l) => l.msg)).toEqual([
      'controller: reassignment of t-0 in progress (adding [4], removing [1]): replicas [1, 2, 3] -> [2, 3, 4, 1], ISR [1, 2, 3], leader 1 (partition epoch 1)',
      'controller: reassignment of t-0 ended: replicas [2, 3, 4, 1] -> [2, 3, 4], ISR [2, 3, 4], leader 2 (partition epoch 2)',
    ]);

    await fixture.close(controller);
    const reopened = await fixture.open();
    expect(reopened.metadata.partition('t', 0)).toMatchObject(done);
  });
});
