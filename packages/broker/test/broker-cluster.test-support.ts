// A small cluster inside the test's own thread: a real Controller and real
// Brokers (listener, metadata cache, hosted partitions, handlers) joined by
// MessageChannels, with data in a temp dir. Faster to start and stop than
// worker threads, and a broker can be stopped alone to see it fenced.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { Kafka, logLevel } from 'kafkajs';
import { Mailbox } from '@kstream/actor';
import type { Logger } from '@kstream/actor';
import { Controller } from '@kstream/controller';
import type { BrokerConfigProps, ControllerToBroker } from '@kstream/metadata';
import { Broker } from '../src/broker.js';
import type { ControllerChannel, NodeChannel } from '../src/messages.js';
import { RawClient } from '../src/network/raw-client.test-support.js';
import { PeerLinks } from '../src/peers/peer-links.js';

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };

interface RunningBroker {
  readonly broker: Broker;
  readonly port: number;
  readonly channels: { readonly controller: ControllerChannel; readonly node: NodeChannel; readonly peers: PeerLinks };
}

export class BrokerCluster {
  readonly #brokers = new Map<number, RunningBroker>();
  readonly #clients: { close(): void }[] = [];
  readonly #kafkas: { disconnect(): Promise<void> }[] = [];

  private constructor(
    readonly dir: string,
    readonly controller: Controller,
    readonly staticConfig: BrokerConfigProps,
  ) {}

  /** Starts a controller and brokers 1..`brokers` on free ports. */
  static async start(options: { brokers?: number; config?: BrokerConfigProps } = {}): Promise<BrokerCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'kstream-broker-cluster-'));
    const staticConfig = options.config ?? {};
    const controller = await Controller.open({ dir: join(dir, 'controller'), staticBrokerConfig: staticConfig, logger: quiet });
    const cluster = new BrokerCluster(dir, controller, staticConfig);
    for (let id = 1; id <= (options.brokers ?? 1); id++) await cluster.startBroker(id);
    return cluster;
  }

  /** Starts broker `brokerId`; with `peersCut`, its links to the other brokers start cut (healPeers joins them). */
  async startBroker(brokerId: number, options: { peersCut?: boolean } = {}): Promise<void> {
    const toController = new MessageChannel();
    const toNode = new MessageChannel();
    this.controller.attachBroker(brokerId, toController.port1);
    let broker: Broker | undefined;
    const controller: ControllerChannel = new Mailbox(toController.port2, {
      name: 'controller',
      logger: quiet,
      handle: (msg: ControllerToBroker) => broker?.handleControllerMessage(msg),
    });
    const node: NodeChannel = new Mailbox(toNode.port2, { name: 'node', logger: quiet });
    // Paired with every running broker, as the node pairs broker workers.
    const peers = new PeerLinks(brokerId, quiet);
    for (const [peerId, running] of this.#brokers) {
      const pair = new MessageChannel();
      peers.attach(peerId, pair.port1);
      running.channels.peers.attach(brokerId, pair.port2);
      if (options.peersCut === true) {
        peers.setCut(peerId, true);
        running.channels.peers.setCut(brokerId, true);
      }
    }
    broker = new Broker(
      { brokerId, host: '127.0.0.1', port: 0, logDir: join(this.dir, `broker-${brokerId}`), heartbeatIntervalMs: 1_000, staticConfig: this.staticConfig },
      { controller, node, peers },
      quiet,
    );
    const { port } = await broker.start();
    this.#brokers.set(brokerId, { broker, port, channels: { controller, node, peers } });
  }

  /** Heals every cut link between broker `brokerId` and the other running brokers. */
  healPeers(brokerId: number): void {
    const running = this.#brokers.get(brokerId)!;
    for (const [peerId, other] of this.#brokers) {
      if (peerId === brokerId) continue;
      running.channels.peers.setCut(peerId, false);
      other.channels.peers.setCut(brokerId, false);
    }
  }

  /** Shuts broker `brokerId` down and has the controller fence it, as the node does when a broker thread exits. */
  async stopBroker(brokerId: number): Promise<void> {
    const running = this.#brokers.get(brokerId);
    if (running === undefined) return;
    this.#brokers.delete(brokerId);
    await running.broker.shutdown();
    running.channels.controller.close();
    running.channels.node.close();
    running.channels.peers.close();
    await this.controller.detachBroker(brokerId, 'stopped by the test');
  }

  broker(brokerId = 1): Broker {
    return this.#brokers.get(brokerId)!.broker;
  }

  port(brokerId = 1): number {
    return this.#brokers.get(brokerId)!.port;
  }

  get bootstrap(): string[] {
    return [...this.#brokers.values()].map(({ port }) => `127.0.0.1:${port}`);
  }

  /** A raw client connected to broker `brokerId`, closed with the cluster. */
  async client(brokerId = 1): Promise<RawClient> {
    const client = await RawClient.connect(this.port(brokerId));
    this.#clients.push(client);
    return client;
  }

  /** A connected kafkajs admin client, disconnected with the cluster. */
  async admin() {
    const admin = new Kafka({ clientId: 'broker-test', brokers: this.bootstrap, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    this.#kafkas.push(admin);
    return admin;
  }

  async stop(): Promise<void> {
    for (const client of this.#clients.splice(0)) client.close();
    for (const kafka of this.#kafkas.splice(0)) await kafka.disconnect();
    for (const id of [...this.#brokers.keys()]) await this.stopBroker(id);
    await this.controller.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
