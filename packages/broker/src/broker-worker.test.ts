import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Mailbox, spawnWorker } from '@kstream/actor';
import type { Logger } from '@kstream/actor';
import { Controller } from '@kstream/controller';
import { PauseGate } from './pause-gate.js';
import { brokerWorkerUrl } from './index.js';
import type { BrokerWorkerData } from './broker-worker.js';
import type { BrokerReplies, BrokerRequest, BrokerStartedNotice, NodeRequest } from './messages.js';

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('broker worker', () => {
  let dir: string;
  let controller: Controller;
  let worker: Worker | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kstream-broker-worker-'));
    controller = await Controller.open({ dir: join(dir, 'controller'), sessionTimeoutMs: 400, logger: quiet });
  });

  afterEach(async () => {
    await worker?.terminate();
    await controller.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function startBroker(heartbeatIntervalMs: number) {
    const { port1, port2 } = new MessageChannel();
    controller.attachBroker(7, port1);
    const workerData: BrokerWorkerData = {
      config: { brokerId: 7, host: '127.0.0.1', port: 0, logDir: join(dir, 'broker-7'), heartbeatIntervalMs },
      controllerPort: port2,
      pauseState: new PauseGate().buffer,
    };
    worker = spawnWorker(brokerWorkerUrl, { name: 'broker-7', workerData, transferList: [port2] });
    let started!: (notice: BrokerStartedNotice) => void;
    const startedNotice = new Promise<BrokerStartedNotice>((resolve) => (started = resolve));
    const logs: string[] = [];
    const node = new Mailbox<NodeRequest, BrokerRequest, BrokerReplies>(worker, {
      name: 'broker-7',
      logger: quiet,
      handle: (msg) => {
        if (msg.type === 'BrokerStarted') started(msg);
        if (msg.type === 'Log') logs.push(`${msg.level.toUpperCase()} ${msg.msg}`);
      },
    });
    return { node, logs, ...(await startedNotice) };
  }

  it('startHeartbeatShutdown: listens, registers, stays alive past the session timeout, and closes its listener on Shutdown', async () => {
    const { node, logs, port, brokerEpoch } = await startBroker(50);
    expect(controller.describe().brokers).toEqual([{ brokerId: 7, brokerEpoch, host: '127.0.0.1', port, fenced: false }]);
    expect(await canConnect(port)).toBe(true);

    // Only heartbeats keep it from being fenced after 400 ms.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(controller.describe().brokers[0]!.fenced).toBe(false);

    await node.ask({ type: 'Shutdown' });
    expect(await canConnect(port)).toBe(false);
    // The broker's log reaches the node, which owns the logger.
    expect(logs).toContain('INFO broker 7: shut down');
  });

  it('awaitBegin: a worker told to wait loads and waits, registering nothing, until the node tells it Begin', async () => {
    const { port1, port2 } = new MessageChannel();
    controller.attachBroker(7, port1);
    const workerData: BrokerWorkerData = {
      config: { brokerId: 7, host: '127.0.0.1', port: 0, logDir: join(dir, 'broker-7'), heartbeatIntervalMs: 50 },
      controllerPort: port2,
      pauseState: new PauseGate().buffer,
      awaitBegin: true,
    };
    worker = spawnWorker(brokerWorkerUrl, { name: 'broker-7', workerData, transferList: [port2] });
    const started: BrokerStartedNotice[] = [];
    const node = new Mailbox<NodeRequest, BrokerRequest, BrokerReplies>(worker, {
      name: 'broker-7',
      logger: quiet,
      handle: (msg) => {
        if (msg.type === 'BrokerStarted') started.push(msg);
      },
    });
    // Loaded: it answers the node, and has neither started nor registered.
    expect(await node.ask({ type: 'HeapUsage', collectGarbage: false })).toMatchObject({ collected: false });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(started).toEqual([]);
    expect(controller.describe().brokers).toEqual([]);

    node.tell({ type: 'Begin' });
    await expect.poll(() => started.length, { timeout: 10_000 }).toBe(1);
    expect(controller.describe().brokers).toEqual([{ brokerId: 7, brokerEpoch: started[0]!.brokerEpoch, host: '127.0.0.1', port: started[0]!.port, fenced: false }]);
    expect(await canConnect(started[0]!.port)).toBe(true);
    node.tell({ type: 'Begin' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(started, 'a second Begin starts nothing more').toHaveLength(1);
  });

  it('fencedBrokerReregisters: told it is fenced, the broker registers again with a new epoch', async () => {
    // Heartbeats slower than the session timeout: the controller fences the
    // broker between two of them, and the next heartbeat learns of it.
    const { brokerEpoch, logs } = await startBroker(700);
    await expect.poll(() => controller.describe().brokers[0]!.brokerEpoch, { timeout: 5_000, interval: 50 }).toBeGreaterThan(brokerEpoch + 1);
    expect(controller.describe().brokers[0]!.fenced).toBe(false);
    expect(logs).toContain(`WARN broker 7: the controller fenced epoch ${brokerEpoch}; registering again`);
  });
});
