import { MessageChannel } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Mailbox } from '@kstream/actor';
import type { Controller } from './controller.js';
import { ControllerFixture, quiet, stateView } from './controller.test-support.js';
import { MetadataState, unpackAdminReply, unpackMetadataBatch } from '@kstream/metadata';
import type { ControllerToBroker, CreateTopicsReply, DeleteTopicsReply, MetadataRecord } from '@kstream/metadata';
import type { BrokerControllerChannel } from './controller-channel.js';

const fixture = new ControllerFixture();
const channels: MessageChannel[] = [];
beforeEach(() => fixture.setUp());
afterEach(async () => {
  for (const channel of channels.splice(0)) channel.port1.close();
  await fixture.cleanUp();
});

/** A broker's side of its controller channel: a MetadataState replica fed by the snapshot and the pushes. */
class BrokerReplica {
  state = new MetadataState();
  appliedOffset = -1;
  readonly updates: { readonly records: readonly MetadataRecord[]; readonly lastOffset: number }[] = [];
  readonly channel: BrokerControllerChannel;

  constructor(
    controller: Controller,
    readonly brokerId: number,
  ) {
    const channel = new MessageChannel();
    channels.push(channel);
    controller.attachBroker(brokerId, channel.port1);
    this.channel = new Mailbox(channel.port2, { name: 'controller', logger: quiet, handle: (msg: ControllerToBroker) => this.#apply(msg) });
  }

  async register(): Promise<void> {
    const reply = await this.channel.ask({ type: 'BrokerRegistration', brokerId: this.brokerId, host: '127.0.0.1', port: 9092 });
    const fresh = new MetadataState();
    for (const record of unpackMetadataBatch(reply.metadata.batch, 'snapshot', 0)) fresh.apply(record);
    this.state = fresh;
    this.appliedOffset = reply.metadata.lastOffset;
  }

  async caughtUpTo(offset: number): Promise<void> {
    const deadline = Date.now() + 3_000;
    while (this.appliedOffset < offset) {
      if (Date.now() > deadline) throw new Error(`broker ${this.brokerId} stuck at offset ${this.appliedOffset}, waiting for ${offset}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  #apply(msg: ControllerToBroker): void {
    switch (msg.type) {
      case 'MetadataUpdate': {
        const records = unpackMetadataBatch(msg.batch, 'update', 0);
        this.updates.push({ records, lastOffset: msg.lastOffset });
        if (msg.lastOffset <= this.appliedOffset) return;
        for (const record of records) this.state.apply(record);
        this.appliedOffset = msg.lastOffset;
        return;
      }
      default:
        msg.type satisfies never;
    }
  }
}

describe('metadata push', () => {
  it('registrationSnapshotAndUpdates: a broker replica tracks every change, in offset order without gaps', async () => {
    const controller = await fixture.openWithBrokers(2);
    await controller.handle({
      type: 'CreateTopics',
      topics: [{ name: 'before', numPartitions: 2, replicationFactor: 2, assignments: [], configs: [{ name: 'retention.ms', value: '9' }] }],
      validateOnly: false,
    });
    const broker = new BrokerReplica(controller, 3);
    await broker.register();
    expect(stateView(broker.state)).toEqual(stateView(controller.metadata));
    expect(broker.appliedOffset).toBe(controller.describe().metadataOffset - 1);

    const created = await broker.channel.ask({
      type: 'CreateTopics',
      topics: [{ name: 'after', numPartitions: 3, replicationFactor: 3, assignments: [], configs: [] }],
      validateOnly: false,
    });
    await broker.caughtUpTo(unpackAdminReply<CreateTopicsReply>(created).metadataOffset);
    expect(broker.state.topicByName('after')?.partitions).toHaveLength(3);

    await broker.channel.ask({
      type: 'IncrementalAlterConfigs',
      resources: [{ resourceType: 'broker', resourceName: '', configs: [{ name: 'log.retention.ms', operation: 'SET', value: '1' }] }],
      validateOnly: false,
    });
    await broker.channel.ask({ type: 'CreatePartitions', topics: [{ name: 'before', count: 4, assignments: null }], validateOnly: false });
    const deleted = await broker.channel.ask({ type: 'DeleteTopics', topics: [{ name: 'after', topicId: null }] });
    await broker.caughtUpTo(unpackAdminReply<DeleteTopicsReply>(deleted).metadataOffset);
    expect(stateView(broker.state)).toEqual(stateView(controller.metadata));

    let previous = broker.updates[0]!.lastOffset - broker.updates[0]!.records.length;
    for (const update of broker.updates) {
      expect(update.lastOffset - update.records.length).toBe(previous);
      previous = update.lastOffset;
    }
  });

  it('unregisteredChannel: nothing is pushed before the broker registers on it', async () => {
    const controller = await fixture.openWithBrokers(1);
    const broker = new BrokerReplica(controller, 2);
    const reply = await controller.handle({
      type: 'CreateTopics',
      topics: [{ name: 't', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      validateOnly: false,
    });
    await broker.register();
    expect(broker.updates).toEqual([]);
    expect(broker.appliedOffset).toBeGreaterThan(reply.metadataOffset);
    expect(broker.state.topicByName('t')).toBeDefined();
  });

  it('reregistration: a fenced broker that registers again gets a fresh snapshot', async () => {
    const controller = await fixture.open({ sessionTimeoutMs: 100 });
    const broker = new BrokerReplica(controller, 1);
    await broker.register();
    // No heartbeats: the controller fences the broker and pushes that.
    const fencedAt = controller.describe().metadataOffset;
    await broker.caughtUpTo(fencedAt);
    expect(broker.state.broker(1)?.fenced).toBe(true);
    await broker.register();
    expect(broker.state.broker(1)?.fenced).toBe(false);
    expect(stateView(broker.state)).toEqual(stateView(controller.metadata));
  });
});
