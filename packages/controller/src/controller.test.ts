import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Mailbox } from '@kstream/actor';
import type { Logger } from '@kstream/actor';
import { Controller } from './controller.js';
import type { ControllerOptions } from './controller.js';
import type { ControllerReplies, ControllerRequest } from '@kstream/metadata';

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };

type BrokerSide = Mailbox<never, ControllerRequest, ControllerReplies>;

let dir: string;
const open: Controller[] = [];
const ports: MessageChannel[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kstream-controller-'));
});

afterEach(async () => {
  for (const channel of ports.splice(0)) channel.port1.close();
  for (const controller of open.splice(0)) await controller.close();
  await rm(dir, { recursive: true, force: true });
});

async function openController(options: Partial<ControllerOptions> = {}): Promise<Controller> {
  const controller = await Controller.open({ dir, logger: quiet, ...options });
  open.push(controller);
  return controller;
}

async function closeController(controller: Controller): Promise<void> {
  open.splice(open.indexOf(controller), 1);
  await controller.close();
}

/** Connects a broker-side mailbox to the controller over a real MessageChannel. */
function connectBroker(controller: Controller, brokerId: number): BrokerSide {
  const channel = new MessageChannel();
  ports.push(channel);
  controller.attachBroker(brokerId, channel.port1);
  return new Mailbox(channel.port2, { name: 'controller', logger: quiet });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitUntil(what: string, check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function brokerState(controller: Controller, brokerId: number) {
  return controller.describe().brokers.find((b) => b.brokerId === brokerId);
}

describe('Controller', () => {
  it('registration: a broker gets an epoch and the cluster id, and is listed alive', async () => {
    const controller = await openController();
    const broker = connectBroker(controller, 1);
    const reply = await broker.ask({ type: 'BrokerRegistration', brokerId: 1, host: '127.0.0.1', port: 9092 });
    expect(reply.clusterId).toBe(controller.clusterId);
    expect(controller.describe().brokers).toEqual([{ brokerId: 1, brokerEpoch: reply.brokerEpoch, host: '127.0.0.1', port: 9092, fenced: false }]);
  });

  it('reopen: cluster id and registrations are replayed from the metadata log', async () => {
    const first = await openController();
    const broker = connectBroker(first, 2);
    const { brokerEpoch } = await broker.ask({ type: 'BrokerRegistration', brokerId: 2, host: '127.0.0.1', port: 9093 });
    const before = first.describe();
    await closeController(first);

    const second = await openController();
    expect(second.describe()).toEqual(before);
    expect(second.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // The next registration gets a larger epoch than any before the restart.
    const again = connectBroker(second, 2);
    const reply = await again.ask({ type: 'BrokerRegistration', brokerId: 2, host: '127.0.0.1', port: 9093 });
    expect(reply.brokerEpoch).toBeGreaterThan(brokerEpoch);
  });

  it('heartbeatsStop: a broker is fenced after the session timeout, told so, and alive again once it re-registers', async () => {
    const controller = await openController({ sessionTimeoutMs: 400 });
    const broker = connectBroker(controller, 1);
    const { brokerEpoch } = await broker.ask({ type: 'BrokerRegistration', brokerId: 1, host: '127.0.0.1', port: 9092 });

    // Heartbeating for longer than the session timeout keeps it alive.
    const heartbeatingSince = Date.now();
    while (Date.now() - heartbeatingSince < 600) {
      expect(await broker.ask({ type: 'BrokerHeartbeat', brokerId: 1, brokerEpoch })).toEqual({ isFenced: false });
      await sleep(50);
    }
    expect(brokerState(controller, 1)?.fenced).toBe(false);

    const silentSince = Date.now();
    await waitUntil('the broker to be fenced', () => brokerState(controller, 1)?.fenced === true);
    expect(Date.now() - silentSince).toBeGreaterThanOrEqual(300);
    expect(await broker.ask({ type: 'BrokerHeartbeat', brokerId: 1, brokerEpoch })).toEqual({ isFenced: true });

    const again = await broker.ask({ type: 'BrokerRegistration', brokerId: 1, host: '127.0.0.1', port: 9092 });
    expect(brokerState(controller, 1)).toMatchObject({ fenced: false, brokerEpoch: again.brokerEpoch });
    expect(await broker.ask({ type: 'BrokerHeartbeat', brokerId: 1, brokerEpoch: again.brokerEpoch })).toEqual({ isFenced: false });
  });

  it("controllerThreadHeld: heartbeats that arrived while the controller's thread was held keep the broker alive", async () => {
    // The controller shares its thread with the embedding program (the fault
    // checkers run kafkajs clients on it): a stall longer than the session
    // timeout must not be blamed on brokers whose heartbeats wait in its port.
    const controller = await openController({ sessionTimeoutMs: 300 });
    const broker = connectBroker(controller, 1);
    const { brokerEpoch } = await broker.ask({ type: 'BrokerRegistration', brokerId: 1, host: '127.0.0.1', port: 9092 });
    const channel = new MessageChannel();
    ports.push(channel);
    const { port1, port2 } = channel;
    port1.on('message', () => void controller.handle({ type: 'BrokerHeartbeat', brokerId: 1, brokerEpoch }));
    const heartbeater = new Worker("const { workerData } = require('node:worker_threads'); setInterval(() => workerData.port.postMessage(1), 20);", {
      eval: true,
      workerData: { port: port2 },
      transferList: [port2],
    });
    try {
      await sleep(200);
      const heldSince = performance.now();
      while (performance.now() - heldSince < 1_000);
      await sleep(300);
      expect(brokerState(controller, 1)?.fenced).toBe(false);
    } finally {
      await heartbeater.terminate();
    }
  });

  it('heartbeatAheadOfQueuedChanges: a heartbeat is answered before the changes queued ahead of it are written', async () => {
    const controller = await openController();
    const broker = connectBroker(controller, 1);
    const { brokerEpoch } = await broker.ask({ type: 'BrokerRegistration', brokerId: 1, host: '127.0.0.1', port: 9092 });
    const answered: string[] = [];
    const created = controller
      .handle({ type: 'CreateTopics', topics: [{ name: 't', numPartitions: 64, replicationFactor: 1, assignments: [], configs: [] }], validateOnly: false })
      .then(() => answered.push('CreateTopics'));
    const heartbeat = controller.handle({ type: 'BrokerHeartbeat', brokerId: 1, brokerEpoch }).then((reply) => answered.push(`BrokerHeartbeat ${JSON.stringify(reply)}`));
    await Promise.all([created, heartbeat]);
    expect(answered).toEqual(['BrokerHeartbeat {"isFenced":false}', 'CreateTopics']);
  });

  it('staleEpochHeartbeat: a heartbeat from an earlier incarnation is answered as fenced', async () => {
    const controller = await openController();
    const broker = connectBroker(controller, 1);
    const old = await broker.ask({ type: 'BrokerRegistration', brokerId: 1, host: '127.0.0.1', port: 9092 });
    await broker.ask({ type: 'BrokerRegistration', brokerId: 1, host: '127.0.0.1', port: 9092 });
    expect(await broker.ask({ type: 'BrokerHeartbeat', brokerId: 1, brokerEpoch: old.brokerEpoch })).toEqual({ isFenced: true });
    expect(brokerState(controller, 1)?.fenced).toBe(false);
  });

  it('detachBroker: a broker whose worker exited is fenced at once, and its channel no longer served', async () => {
    const controller = await openController();
    const broker = connectBroker(controller, 3);
    await broker.ask({ type: 'BrokerRegistration', brokerId: 3, host: '127.0.0.1', port: 9094 });
    await controller.detachBroker(3, 'worker exited: exit code 1');
    expect(brokerState(controller, 3)?.fenced).toBe(true);
    await expect(broker.ask({ type: 'BrokerHeartbeat', brokerId: 3, brokerEpoch: 0 }, { timeoutMs: 200 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
  });

  it("wrongChannel: a request for another broker on a broker's channel is refused", async () => {
    const controller = await openController();
    const broker = connectBroker(controller, 1);
    await expect(broker.ask({ type: 'BrokerRegistration', brokerId: 2, host: '127.0.0.1', port: 9093 })).rejects.toThrow(
      "broker 1's channel carried a BrokerRegistration for broker 2",
    );
    expect(controller.describe().brokers).toEqual([]);
  });

  it('reopenWithoutBrokers: brokers alive in the log are fenced one session after a restart unless they register', async () => {
    const first = await openController();
    const broker = connectBroker(first, 1);
    await broker.ask({ type: 'BrokerRegistration', brokerId: 1, host: '127.0.0.1', port: 9092 });
    await closeController(first);

    const second = await openController({ sessionTimeoutMs: 150 });
    expect(brokerState(second, 1)?.fenced).toBe(false);
    await waitUntil('the silent broker to be fenced', () => brokerState(second, 1)?.fenced === true);
    await closeController(second);

    // The fence was a metadata record: it survives another reopen.
    const third = await openController();
    expect(brokerState(third, 1)?.fenced).toBe(true);
  });
});
