import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@kstream/protocol';
import { ControllerFixture } from './controller.test-support.js';
import { controlledShutdown } from './controller-shutdown.js';
import { contextOf, partitionRecord, recordsOf, stateWith } from './elections.test-support.js';

describe('controlled shutdown', () => {
  it('leadershipsMoveFirst: each leadership goes to the next eligible ISR member, and the broker leaves every ISR', async () => {
    const state = stateWith(3, [
      { replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, leaderEpoch: 2, partitionEpoch: 4 },
      { replicas: [2, 1, 3], isr: [2, 1], leader: 2 },
    ]);
    const decision = await controlledShutdown(contextOf(state, { shuttingDown: [1] }), 1);
    expect(recordsOf(decision.changes)).toEqual([
      partitionRecord(0, { replicas: [1, 2, 3], isr: [2, 3], leader: 2, leaderEpoch: 3, partitionEpoch: 5 }),
      partitionRecord(1, { replicas: [2, 1, 3], isr: [2], leader: 2, leaderEpoch: 0, partitionEpoch: 1 }),
    ]);
    expect(decision.remainingLeaderships).toBe(0);
  });

  it('leadershipThatCannotMoveRemains: no other eligible ISR member (never unclean), counted, ISR kept', async () => {
    const state = stateWith(3, [
      { replicas: [1, 2], isr: [1], leader: 1 },
      { replicas: [1, 2, 3], isr: [1, 2], leader: 1 },
      { replicas: [3, 1], isr: [3, 1], leader: 3 },
    ]);
    const decision = await controlledShutdown(contextOf(state, { shuttingDown: [1, 2], unclean: true }), 1);
    expect(decision.remainingLeaderships).toBe(2);
    expect(recordsOf(decision.changes)).toEqual([partitionRecord(2, { replicas: [3, 1], isr: [3], leader: 3, partitionEpoch: 1 })]);
  });
});

describe('controlled shutdown through the controller', () => {
  const fixture = new ControllerFixture();
  beforeEach(() => fixture.setUp());
  afterEach(() => fixture.cleanUp());

  it('shuttingDownBrokerNeverElectedNorAdded: not elected when a leader dies, not let into an ISR, until it registers again', async () => {
    const controller = await fixture.openWithBrokers(3);
    await controller.handle({
      type: 'CreateTopics',
      topics: [{ name: 't', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2, 3] }], configs: [] }],
      validateOnly: false,
    });
    const epoch = (id: number) => controller.metadata.broker(id)!.brokerEpoch;
    const stale = await controller.handle({ type: 'ControlledShutdown', brokerId: 2, brokerEpoch: epoch(2) - 1 });
    expect(stale.errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
    expect(controller.metadata.partition('t', 0)!.isr).toEqual([1, 2, 3]);

    const reply = await controller.handle({ type: 'ControlledShutdown', brokerId: 2, brokerEpoch: epoch(2) });
    expect(reply).toEqual({ errorCode: ErrorCode.NONE, remainingLeaderships: 0, metadataOffset: controller.describe().metadataOffset - 1 });
    expect(controller.metadata.partition('t', 0)).toMatchObject({ leader: 1, isr: [1, 3] });

    const { topicId } = controller.metadata.topicByName('t')!;
    const expand = { topicId, partition: 0, leaderEpoch: 0, partitionEpoch: 1, newIsr: [1, 3, 2] };
    const refused = await controller.handle({ type: 'AlterPartition', brokerId: 1, brokerEpoch: epoch(1), partitions: [expand] });
    expect(refused.partitions[0]!.errorCode).toBe(ErrorCode.INELIGIBLE_REPLICA);

    await controller.detachBroker(1, 'its worker exited');
    expect(controller.metadata.partition('t', 0)).toMatchObject({ leader: 3, isr: [3] });
    const current = () => controller.metadata.partition('t', 0)!;
    const expandBy3 = () => ({ topicId, partition: 0, leaderEpoch: current().leaderEpoch, partitionEpoch: current().partitionEpoch, newIsr: [3, 2] });
    const before = await controller.handle({ type: 'AlterPartition', brokerId: 3, brokerEpoch: epoch(3), partitions: [expandBy3()] });
    expect(before.partitions[0]!.errorCode).toBe(ErrorCode.INELIGIBLE_REPLICA);

    // Its restart clears the mark: the leader may let it in again.
    await controller.handle({ type: 'BrokerRegistration', brokerId: 2, host: '127.0.0.1', port: 9093 });
    const after = await controller.handle({ type: 'AlterPartition', brokerId: 3, brokerEpoch: epoch(3), partitions: [expandBy3()] });
    expect(after.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, isr: [3, 2] });
  });
});
