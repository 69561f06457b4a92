import type { Socket } from 'node:net';
import { ActorError } from '@kstream/actor';
import type { Logger } from '@kstream/actor';
import { BrokerListener } from './broker-listener.js';
import type { ControllerChannel, NodeChannel } from './messages.js';
import { submitPoolTask } from './pool-tasks.js';
import type { PoolTaskInput, PoolTaskName, PoolTaskOutput } from './pool-tasks.js';

/** What a broker worker is started with. */
export interface BrokerConfig {
  readonly brokerId: number;
  readonly host: string;
  /** The listener port; 0 lets the OS pick one on first start. */
  readonly port: number;
  /** `<data-dir>/broker-<id>`, holding meta.properties and, later, the partitions. */
  readonly logDir: string;
  readonly heartbeatIntervalMs: number;
}

/**
 * One broker: its listener, its registration with the controller and the
 * heartbeats that keep it alive there. Everything runs on the broker worker's
 * single event loop.
 */
export class Broker {
  readonly #config: BrokerConfig;
  readonly #controller: ControllerChannel;
  readonly #node: NodeChannel;
  readonly #logger: Logger;
  readonly #listener: BrokerListener;
  #brokerEpoch = -1;
  #heartbeat: NodeJS.Timeout | undefined;
  #stopping = false;

  constructor(config: BrokerConfig, channels: { controller: ControllerChannel; node: NodeChannel }, logger: Logger) {
    this.#config = config;
    this.#controller = channels.controller;
    this.#node = channels.node;
    this.#logger = logger;
    this.#listener = new BrokerListener({
      brokerId: config.brokerId,
      host: config.host,
      port: config.port,
      logger,
      onConnection: (socket, connectionId) => this.#onConnection(socket, connectionId),
    });
  }

  get brokerId(): number {
    return this.#config.brokerId;
  }

  /** Listens, registers with the controller and starts heartbeating; resolves with the bound port and broker epoch. */
  async start(): Promise<{ port: number; brokerEpoch: number }> {
    const port = await this.#listener.listen();
    await this.#register();
    this.#scheduleHeartbeat();
    this.#logger.info(`broker ${this.brokerId}: listening on ${this.#config.host}:${port}`, {
      brokerEpoch: this.#brokerEpoch,
      logDir: this.#config.logDir,
    });
    return { port, brokerEpoch: this.#brokerEpoch };
  }

  /** Runs a CPU-heavy task on the node's pool, off this broker's event loop. */
  runPoolTask<N extends PoolTaskName>(task: N, input: PoolTaskInput<N>): Promise<PoolTaskOutput<N>> {
    return submitPoolTask(this.#node, task, input);
  }

  /** Stops heartbeating and closes the listener and every connection. */
  async shutdown(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#heartbeat);
    await this.#listener.close();
    this.#logger.info(`broker ${this.brokerId}: shut down`);
  }

  async #register(): Promise<void> {
    const { brokerId, host } = this.#config;
    const reply = await this.#controller.ask({ type: 'BrokerRegistration', brokerId, host, port: this.#listener.port });
    this.#brokerEpoch = reply.brokerEpoch;
  }

  #scheduleHeartbeat(): void {
    if (this.#stopping) return;
    this.#heartbeat = setTimeout(() => void this.#sendHeartbeat().finally(() => this.#scheduleHeartbeat()), this.#config.heartbeatIntervalMs);
  }

  async #sendHeartbeat(): Promise<void> {
    const { brokerId, heartbeatIntervalMs } = this.#config;
    try {
      const { isFenced } = await this.#controller.ask(
        { type: 'BrokerHeartbeat', brokerId, brokerEpoch: this.#brokerEpoch },
        { timeoutMs: heartbeatIntervalMs * 2 },
      );
      if (isFenced && !this.#stopping) {
        this.#logger.warn(`broker ${brokerId}: the controller fenced epoch ${this.#brokerEpoch}; registering again`);
        await this.#register();
      }
    } catch (err) {
      // A missed heartbeat is survivable: the next one may arrive in time.
      if (!(err instanceof ActorError && err.code === 'CLOSED')) {
        this.#logger.warn(`broker ${brokerId}: heartbeat to the controller failed`, { error: err });
      }
    }
  }

  #onConnection(socket: Socket, connectionId: string): void {
    // Kafka request handling attaches here in a later issue; until then the
    // broker holds the connection open and closes it on shutdown.
    this.#logger.info(`broker ${this.brokerId}: accepted connection ${connectionId}`);
    socket.pause();
  }
}
