import { MessageChannel } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Mailbox } from '@kstream/actor';
import { unpackMetadataBatch } from '@kstream/metadata';
import type { ControllerToBroker, MetadataRecord } from '@kstream/metadata';
import type { Controller } from './controller.js';
import type { BrokerControllerChannel } from './controller-channel.js';
import { ControllerFixture, quiet, recordingLogger } from './controller.test-support.js';
import type { LogLine } from './controller.test-support.js';

const fixture = new ControllerFixture();
const channels: MessageChannel[] = [];
beforeEach(() => fixture.setUp());
afterEach(async () => {
  for (const channel of channels.splice(0)) channel.port1.close();
  await fixture.cleanUp();
});

/** Registers broker `brokerId` on a channel and collects the batches pushed to it. */
async function connect(controller: Controller, brokerId: number, batches: MetadataRecord[][]): Promise<BrokerControllerChannel> {
  const channel = new MessageChannel();
  channels.push(channel);
  controller.attachBroker(brokerId, channel.port1);
  const mailbox: BrokerControllerChannel = new Mailbox(channel.port2, {
    name: 'controller',
    logger: quiet,
    handle: (msg: ControllerToBroker) => void batches.push(unpackMetadataBatch(msg.batch, 'update', 0)),
  });
  await mailbox.ask({ type: 'BrokerRegistration', brokerId, host: '127.0.0.1', port: 9090 + brokerId });
  return mailbox;
}

async function createTopic(controller: Controller, name: string, assignments: number[][]): Promise<void> {
  const reply = await controller.handle({
    type: 'CreateTopics',
    topics: [{ name, numPartitions: -1, replicationFactor: -1, assignments: assignments.map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds })), configs: [] }],
    validateOnly: false,
  });
  expect(reply.topics[0]!.errorCode).toBe(0);
}

describe('controller elections', () => {
  it('workerExitMovesLeadershipsInOneBatch: detachBroker fences and elects in one pushed batch, at once', async () => {
    const lines: LogLine[] = [];
    const controller = await fixture.open({ logger: recordingLogger(lines) });
    const pushed: MetadataRecord[][] = [];
    for (const brokerId of [1, 3]) await controller.handle({ type: 'BrokerRegistration', brokerId, host: '127.0.0.1', port: 9090 + brokerId });
    await connect(controller, 2, pushed);
    await createTopic(controller, 'orders', [
      [1, 2, 3],
      [2, 1, 3],
      [3, 2, 1],
    ]);
    await expect.poll(() => pushed.length).toBe(1);
    const started = performance.now();
    await controller.detachBroker(1, 'its worker exited');
    expect(performance.now() - started).toBeLessThan(500);
    const orders = controller.metadata.topicByName('orders')!;
    expect(orders.partitions.map((p) => [p.leader, p.isr, p.leaderEpoch, p.partitionEpoch])).toEqual([
      [2, [2, 3], 1, 1],
      [2, [2, 3], 0, 1],
      [3, [3, 2], 0, 1],
    ]);
    await expect.poll(() => pushed.length).toBe(2);
    expect(pushed[1]!.map((r) => r.type)).toEqual(['FenceBroker', 'Partition', 'Partition', 'Partition']);
    expect(lines.map((l) => l.msg)).toContain('controller: broker 1 fenced: 1 leaderships moved, 2 ISRs shrunk, 0 partitions without a leader');
  });

  it('fencedLastIsrMemberLeadsAgainOnReturn: leader -1 while it is away, leader again once it registers', async () => {
    const controller = await fixture.openWithBrokers(2);
    await createTopic(controller, 'solo', [[1]]);
    await controller.detachBroker(1, 'its worker exited');
    expect(controller.metadata.partition('solo', 0)).toMatchObject({ leader: -1, isr: [1], leaderEpoch: 1 });
    await controller.handle({ type: 'BrokerRegistration', brokerId: 1, host: '127.0.0.1', port: 9092 });
    expect(controller.metadata.partition('solo', 0)).toMatchObject({ leader: 1, isr: [1], leaderEpoch: 2, partitionEpoch: 2 });
  });

  it('newIncarnationOfLiveBrokerFencesTheOld: its leaderships move before it registers again', async () => {
    const controller = await fixture.openWithBrokers(2);
    await createTopic(controller, 'pair', [[1, 2]]);
    await controller.handle({ type: 'BrokerRegistration', brokerId: 1, host: '127.0.0.1', port: 9092 });
    expect(controller.metadata.partition('pair', 0)).toMatchObject({ leader: 2, isr: [2], leaderEpoch: 1 });
    expect(controller.metadata.broker(1)!.fenced).toBe(false);
  });

  it('heartbeatTimeoutElects: a broker silent past the session timeout loses its leaderships', async () => {
    const controller = await fixture.openWithBrokers(2, { sessionTimeoutMs: 100 });
    await createTopic(controller, 'pair', [[1, 2]]);
    const heartbeat = setInterval(() => {
      const brokerEpoch = controller.metadata.broker(2)!.brokerEpoch;
      void controller.handle({ type: 'BrokerHeartbeat', brokerId: 2, brokerEpoch });
    }, 20);
    try {
      await expect.poll(() => controller.metadata.partition('pair', 0)!.leader, { timeout: 3_000 }).toBe(2);
    } finally {
      clearInterval(heartbeat);
    }
    expect(controller.metadata.partition('pair', 0)!.isr).toEqual([2]);
  });
});

describe('unclean election enabled at run time', () => {
  it('uncleanEnabledByConfigChangeElects: a leaderless partition takes a live replica once its topic allows unclean elections', async () => {
    const lines: LogLine[] = [];
    const controller = await fixture.openWithBrokers(2, { logger: recordingLogger(lines) });
    await createTopic(controller, 'pair', [[1, 2]]);
    const { topicId } = controller.metadata.topicByName('pair')!;
    const brokerEpoch = controller.metadata.broker(1)!.brokerEpoch;
    await controller.handle({ type: 'AlterPartition', brokerId: 1, brokerEpoch, partitions: [{ topicId, partition: 0, leaderEpoch: 0, partitionEpoch: 0, newIsr: [1] }] });
    await controller.detachBroker(1, 'its worker exited');
    expect(controller.metadata.partition('pair', 0)).toMatchObject({ leader: -1, isr: [1] });

    const enable = { resourceType: 'topic' as const, resourceName: 'pair', configs: [{ name: 'unclean.leader.election.enable', operation: 'SET' as const, value: 'true' }] };
    await controller.handle({ type: 'IncrementalAlterConfigs', resources: [enable], validateOnly: false });
    expect(controller.metadata.partition('pair', 0)).toMatchObject({ leader: 2, isr: [2], leaderEpoch: 2 });
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      'controller: unclean leader election for pair-0: broker 2 leads from outside the ISR [1], losing what it had not copied (unclean.leader.election.enable=true)',
    ]);
  });
});
