import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@kstream/protocol';
import type { AlterPartitionItem } from '@kstream/metadata';
import { alterPartition } from './controller-isr.js';
import { contextOf, partitionRecord, recordsOf, stateWith, TOPIC_ID } from './elections.test-support.js';
import type { ContextOptions } from './elections.test-support.js';
import { ControllerFixture } from './controller.test-support.js';

// Partition 0 of t: replicas 1, 2, 3, led by 1 at leader epoch 3, partition epoch 5, ISR 1, 2.
const partition = { replicas: [1, 2, 3], isr: [1, 2], leader: 1, leaderEpoch: 3, partitionEpoch: 5 };
const item = (change: Partial<AlterPartitionItem> = {}): AlterPartitionItem => ({
  topicId: TOPIC_ID,
  partition: 0,
  leaderEpoch: 3,
  partitionEpoch: 5,
  newIsr: [1, 2, 3],
  ...change,
});

function decide(items: AlterPartitionItem[], options: ContextOptions & { brokerId?: number; brokerEpoch?: number; fenced?: number[] } = {}) {
  const state = stateWith(4, [partition], options.fenced);
  const brokerId = options.brokerId ?? 1;
  return alterPartition(contextOf(state, options), { type: 'AlterPartition', brokerId, brokerEpoch: options.brokerEpoch ?? brokerId, partitions: items });
}

const codes = async (items: AlterPartitionItem[], options = {}) => (await decide(items, options)).partitions.map((p) => p.errorCode);

describe('AlterPartition', () => {
  it('isrExpansionAccepted: the record keeps the leader epoch and bumps the partition epoch; the reply carries the new state', async () => {
    const decision = await decide([item()]);
    expect(recordsOf(decision.changes)).toEqual([partitionRecord(0, { ...partition, isr: [1, 2, 3], partitionEpoch: 6 })]);
    expect(decision.partitions).toEqual([{ topicId: TOPIC_ID, partition: 0, errorCode: ErrorCode.NONE, leader: 1, leaderEpoch: 3, isr: [1, 2, 3], partitionEpoch: 6 }]);
  });

  it('isrShrinkAccepted: the leader may drop a follower', async () => {
    expect(recordsOf((await decide([item({ newIsr: [1] })])).changes)).toEqual([partitionRecord(0, { ...partition, isr: [1], partitionEpoch: 6 })]);
  });

  it('staleBrokerEpoch: an older incarnation is refused as a whole', async () => {
    const decision = await decide([item()], { brokerEpoch: 0 });
    expect(decision).toEqual({ errorCode: ErrorCode.STALE_BROKER_EPOCH, changes: [], partitions: [] });
  });

  it('unknownPartition: UNKNOWN_TOPIC_OR_PARTITION for an unknown topic id or partition', async () => {
    expect(await codes([item({ topicId: '00000000-0000-4000-8000-0000000000ff' }), item({ partition: 1 })])).toEqual([
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
  });

  it('askerNotLeader: NOT_LEADER_OR_FOLLOWER, with the current state in the reply', async () => {
    const decision = await decide([item()], { brokerId: 2 });
    expect(decision.partitions).toEqual([
      { topicId: TOPIC_ID, partition: 0, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, leader: 1, leaderEpoch: 3, isr: [1, 2], partitionEpoch: 5 },
    ]);
    expect(decision.changes).toEqual([]);
  });

  it('staleEpochs: another leader epoch is FENCED_LEADER_EPOCH, another partition epoch INVALID_UPDATE_VERSION', async () => {
    expect(await codes([item({ leaderEpoch: 2 }), item({ partitionEpoch: 4 }), item({ partitionEpoch: 6 })])).toEqual([
      ErrorCode.FENCED_LEADER_EPOCH,
      ErrorCode.INVALID_UPDATE_VERSION,
      ErrorCode.INVALID_UPDATE_VERSION,
    ]);
  });

  it('malformedIsr: without the leader, with a non-replica, or with a duplicate is INVALID_REQUEST', async () => {
    expect(await codes([item({ newIsr: [2, 3] }), item({ newIsr: [1, 4] }), item({ newIsr: [1, 2, 2] }), item({ newIsr: [] })])).toEqual([
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
    ]);
  });

  it('ineligibleReplica: a fenced broker, or one in controlled shutdown, is not let into the ISR', async () => {
    expect(await codes([item()], { fenced: [3] })).toEqual([ErrorCode.INELIGIBLE_REPLICA]);
    expect(await codes([item()], { shuttingDown: [3] })).toEqual([ErrorCode.INELIGIBLE_REPLICA]);
  });

  it('samePartitionTwice: the second item is checked against the first one’s outcome', async () => {
    const decision = await decide([item({ newIsr: [1] }), item()]);
    expect(decision.partitions.map((p) => p.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.INVALID_UPDATE_VERSION]);
    expect(decision.changes).toHaveLength(1);
  });
});

describe('AlterPartition through the controller', () => {
  const fixture = new ControllerFixture();
  beforeEach(() => fixture.setUp());
  afterEach(() => fixture.cleanUp());

  it('acceptedChangeWritten: the record is in the metadata at the reply’s offset, and a refused one writes nothing', async () => {
    const controller = await fixture.openWithBrokers(2);
    await controller.handle({
      type: 'CreateTopics',
      topics: [{ name: 'pair', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }], configs: [] }],
      validateOnly: false,
    });
    const { topicId } = controller.metadata.topicByName('pair')!;
    const brokerEpoch = controller.metadata.broker(1)!.brokerEpoch;
    const shrink = { topicId, partition: 0, leaderEpoch: 0, partitionEpoch: 0, newIsr: [1] };
    const reply = await controller.handle({ type: 'AlterPartition', brokerId: 1, brokerEpoch, partitions: [shrink] });
    expect(reply.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, isr: [1], partitionEpoch: 1 });
    expect(reply.metadataOffset).toBe(controller.describe().metadataOffset - 1);
    expect(controller.metadata.partition('pair', 0)).toMatchObject({ isr: [1], leaderEpoch: 0, partitionEpoch: 1 });
    const stale = await controller.handle({ type: 'AlterPartition', brokerId: 1, brokerEpoch, partitions: [shrink] });
    expect(stale.partitions[0]!.errorCode).toBe(ErrorCode.INVALID_UPDATE_VERSION);
    expect(stale.metadataOffset).toBe(reply.metadataOffset);
  });
});
