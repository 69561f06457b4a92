import { MessageChannel } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Mailbox } from '@kstream/actor';
import { MetadataState, unpackMetadataBatch } from '@kstream/metadata';
import type { ControllerToBroker, MetadataRecord } from '@kstream/metadata';
import { ErrorCode } from '@kstream/protocol';
import type { BrokerControllerChannel } from './controller-channel.js';
import { allocateProducerIds, PRODUCER_ID_BLOCK_SIZE } from './controller-producer-ids.js';
import type { Controller } from './controller.js';
import { ControllerFixture, quiet } from './controller.test-support.js';

const fixture = new ControllerFixture();
const channels: MessageChannel[] = [];
beforeEach(() => fixture.setUp());
afterEach(async () => {
  for (const channel of channels.splice(0)) channel.port1.close();
  await fixture.cleanUp();
});

const epoch = (controller: Controller, brokerId: number) => controller.metadata.broker(brokerId)!.brokerEpoch;
const allocate = (controller: Controller, brokerId: number, brokerEpoch = epoch(controller, brokerId)) => controller.handle({ type: 'AllocateProducerIds', brokerId, brokerEpoch });

describe('AllocateProducerIds', () => {
  it('consecutiveBlocks: blocks of 1000 follow each other across brokers, none overlapping', async () => {
    const controller = await fixture.openWithBrokers(3);
    const starts: bigint[] = [];
    for (const brokerId of [1, 2, 1, 3, 2]) {
      const reply = await allocate(controller, brokerId);
      expect(reply).toMatchObject({ errorCode: ErrorCode.NONE, errorMessage: null, producerIdLen: PRODUCER_ID_BLOCK_SIZE });
      starts.push(reply.producerIdStart);
    }
    expect(starts).toEqual([0n, 1000n, 2000n, 3000n, 4000n]);
    expect(controller.metadata.nextProducerId).toBe(5000n);
    expect(controller.metadata.producerIds).toEqual({ type: 'ProducerIds', brokerId: 2, brokerEpoch: epoch(controller, 2), nextProducerId: 5000n });
  });

  it('restartContinuesAfterLastBlock: a reopened controller replays its log and never hands a block out again', async () => {
    const first = await fixture.openWithBrokers(2);
    await allocate(first, 1);
    await allocate(first, 2);
    await fixture.close(first);

    const second = await fixture.open();
    expect(second.metadata.nextProducerId).toBe(2000n);
    // The brokers restart too: their new incarnations get the next blocks.
    await second.handle({ type: 'BrokerRegistration', brokerId: 1, host: '127.0.0.1', port: 9092 });
    expect((await allocate(second, 1)).producerIdStart).toBe(2000n);
    await fixture.close(second);

    const third = await fixture.open();
    expect((await allocate(third, 1)).producerIdStart).toBe(3000n);
  });

  it('staleBrokerEpoch: an older incarnation or an unknown broker is refused and nothing is written', async () => {
    const controller = await fixture.openWithBrokers(2);
    const oldEpoch = epoch(controller, 2);
    await controller.handle({ type: 'BrokerRegistration', brokerId: 2, host: '127.0.0.1', port: 9093 });
    const offset = controller.describe().metadataOffset;

    const stale = await allocate(controller, 2, oldEpoch);
    expect(stale).toEqual({
      errorCode: ErrorCode.STALE_BROKER_EPOCH,
      errorMessage: `AllocateProducerIds from broker 2: broker epoch ${oldEpoch} is not the registered epoch ${epoch(controller, 2)}`,
      producerIdStart: -1n,
      producerIdLen: 0,
    });
    const unknown = await allocate(controller, 7, 0);
    expect(unknown).toMatchObject({ errorCode: ErrorCode.STALE_BROKER_EPOCH, errorMessage: 'AllocateProducerIds from broker 7: no registration of broker 7' });
    expect(controller.describe().metadataOffset).toBe(offset);
    expect(controller.metadata.nextProducerId).toBe(0n);
    expect((await allocate(controller, 2)).producerIdStart).toBe(0n);
  });

  it('fencedBroker: a fenced incarnation gets no block until it registers again', async () => {
    const controller = await fixture.openWithBrokers(2);
    const fencedEpoch = epoch(controller, 1);
    await controller.detachBroker(1, 'its worker exited');
    const refused = await allocate(controller, 1, fencedEpoch);
    expect(refused).toMatchObject({ errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED, producerIdStart: -1n, producerIdLen: 0 });
    expect(refused.errorMessage).toContain(`broker 1 epoch ${fencedEpoch} is fenced`);
    await controller.handle({ type: 'BrokerRegistration', brokerId: 1, host: '127.0.0.1', port: 9092 });
    expect(await allocate(controller, 1)).toMatchObject({ errorCode: ErrorCode.NONE, producerIdStart: 0n });
  });

  it('exhausted: no block whose end would pass 2^63-1, and the state is left as it was', () => {
    const state = new MetadataState();
    state.apply({ type: 'RegisterBroker', brokerId: 1, brokerEpoch: 5, host: 'h', port: 1 });
    const lastFullBlock = 2n ** 63n - 1n - 1000n;
    state.apply({ type: 'ProducerIds', brokerId: 1, brokerEpoch: 5, nextProducerId: lastFullBlock });
    const last = allocateProducerIds(state, { type: 'AllocateProducerIds', brokerId: 1, brokerEpoch: 5 });
    expect(last.reply).toMatchObject({ errorCode: ErrorCode.NONE, producerIdStart: lastFullBlock });
    state.apply(last.records[0]!);

    const none = allocateProducerIds(state, { type: 'AllocateProducerIds', brokerId: 1, brokerEpoch: 5 });
    expect(none.records).toEqual([]);
    expect(none.reply).toMatchObject({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, producerIdStart: -1n, producerIdLen: 0 });
    expect(none.reply.errorMessage).toContain(`producer ids are exhausted: the next block would start at ${2n ** 63n - 1n}`);
  });

  it('overTheChannel: the block crosses a broker channel unpacked, its start still a bigint, and the record is pushed to brokers', async () => {
    const controller = await fixture.open();
    const channel = new MessageChannel();
    channels.push(channel);
    controller.attachBroker(1, channel.port1);
    const pushed: MetadataRecord[] = [];
    const broker: BrokerControllerChannel = new Mailbox(channel.port2, {
      name: 'controller',
      logger: quiet,
      handle: (msg: ControllerToBroker) => void pushed.push(...unpackMetadataBatch(msg.batch, 'update', 0)),
    });
    const { brokerEpoch } = await broker.ask({ type: 'BrokerRegistration', brokerId: 1, host: '127.0.0.1', port: 9092 });
    await allocate(controller, 1, brokerEpoch);
    const reply = await broker.ask({ type: 'AllocateProducerIds', brokerId: 1, brokerEpoch });
    expect(reply).toEqual({ errorCode: ErrorCode.NONE, errorMessage: null, producerIdStart: 1000n, producerIdLen: 1000 });
    expect(pushed.map((r) => r.type === 'ProducerIds' && r.nextProducerId)).toEqual([1000n, 2000n]);
  });
});
