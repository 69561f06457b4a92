import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControllerFixture } from './controller.test-support.js';
import { contextOf, partitionRecord, recordsOf, stateWith } from './elections.test-support.js';
import type { PartitionSpec } from './elections.test-support.js';
import { preferredLeaderRebalance } from './leader-rebalance.js';

describe('preferred leader rebalance', () => {
  it('imbalanceAbovePercentageMovesBack: only a broker past leader.imbalance.per.broker.percentage gets its partitions back', async () => {
    // Broker 1 is preferred for 4 partitions and leads 3 (25% imbalance), broker 2 for 10 and leads 9 (10%).
    const specs: PartitionSpec[] = [
      ...Array.from({ length: 3 }, () => ({ replicas: [1, 2], leader: 1 })),
      { replicas: [1, 2], isr: [2, 1], leader: 2 },
      ...Array.from({ length: 9 }, () => ({ replicas: [2, 1], leader: 2 })),
      { replicas: [2, 1], isr: [1, 2], leader: 1 },
    ];
    const context = contextOf(stateWith(2, specs));
    expect(recordsOf(await preferredLeaderRebalance(context, 10))).toEqual([partitionRecord(3, { replicas: [1, 2], isr: [2, 1], leader: 1, leaderEpoch: 1, partitionEpoch: 1 })]);
    expect(await preferredLeaderRebalance(context, 25)).toEqual([]);
  });

  it('preferredNotEligibleStays: out of the ISR, fenced or shutting down, the preferred replica does not get its leadership back', async () => {
    const specs: PartitionSpec[] = [
      { replicas: [1, 2], isr: [2], leader: 2 },
      { replicas: [3, 2], isr: [2, 3], leader: 2 },
      { replicas: [4, 2], isr: [2, 4], leader: 2 },
    ];
    expect(await preferredLeaderRebalance(contextOf(stateWith(4, specs, [3]), { shuttingDown: [4] }), 0)).toEqual([]);
  });
});

describe('preferred leader rebalance through the controller', () => {
  const fixture = new ControllerFixture();
  beforeEach(() => fixture.setUp());
  afterEach(() => fixture.cleanUp());

  async function restartAndCatchUp(enable: string) {
    const controller = await fixture.openWithBrokers(2, {
      staticBrokerConfig: { 'auto.leader.rebalance.enable': enable },
      leaderImbalanceCheckIntervalMs: 20,
    });
    await controller.handle({
      type: 'CreateTopics',
      topics: [{ name: 't', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }], configs: [] }],
      validateOnly: false,
    });
    await controller.detachBroker(1, 'its worker exited');
    await controller.handle({ type: 'BrokerRegistration', brokerId: 1, host: '127.0.0.1', port: 9092 });
    const { topicId } = controller.metadata.topicByName('t')!;
    const { leaderEpoch, partitionEpoch } = controller.metadata.partition('t', 0)!;
    const brokerEpoch = controller.metadata.broker(2)!.brokerEpoch;
    // Broker 1 caught up: its leader, broker 2, lets it back into the ISR.
    await controller.handle({ type: 'AlterPartition', brokerId: 2, brokerEpoch, partitions: [{ topicId, partition: 0, leaderEpoch, partitionEpoch, newIsr: [2, 1] }] });
    return controller;
  }

  it('restartedPreferredLeaderLeadsAgain: after a restart and catch-up, the periodic check hands the leadership back', async () => {
    const controller = await restartAndCatchUp('true');
    await expect.poll(() => controller.metadata.partition('t', 0)!.leader, { timeout: 2_000 }).toBe(1);
    expect(controller.metadata.partition('t', 0)).toMatchObject({ isr: [2, 1], leaderEpoch: 2 });
  });

  it('autoRebalanceDisabled: auto.leader.rebalance.enable=false leaves the leadership where it is', async () => {
    const controller = await restartAndCatchUp('false');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(controller.metadata.partition('t', 0)!.leader).toBe(2);
  });
});
