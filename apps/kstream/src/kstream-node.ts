import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { stderrLogger, Supervisor } from '@kstream/actor';
import type { Logger, RestartPolicy } from '@kstream/actor';
import { formatLogDir, InconsistentMetaPropertiesError } from '@kstream/broker';
import { Controller } from '@kstream/controller';
import { brokerPorts } from './broker-ports.js';
import { BrokerThread } from './broker-thread.js';
import { ConfigError } from './config-error.js';
import { prepareDataDir } from './data-dir.js';
import type { NodeDescription } from './node-control.js';
import { checkStartOptions } from './start-options.js';
import type { StartOptions } from './start-options.js';
import { TaskPool } from './task-pool.js';

/** Brokers listen on loopback only: the node is a single-host cluster. */
export const BROKER_HOST = '127.0.0.1';

export interface NodeOptions extends StartOptions {
  /** How often brokers heartbeat to the controller (Kafka's broker.heartbeat.interval.ms). */
  readonly heartbeatIntervalMs?: number;
  /** How long the controller waits for a heartbeat before fencing (broker.session.timeout.ms). */
  readonly sessionTimeoutMs?: number;
  /** How the supervisor restarts a crashed broker (tests shorten the delays). */
  readonly restartPolicy?: Partial<RestartPolicy>;
  readonly logger?: Logger;
}

/**
 * A running kstream node: the controller actor and the supervisor on this
 * (main) thread, one worker thread per broker, and the piscina pool.
 */
export class KstreamNode {
  readonly #controller: Controller;
  readonly #pool: TaskPool;
  readonly #brokers: ReadonlyMap<number, BrokerThread>;
  #stopping: Promise<void> | null = null;

  private constructor(controller: Controller, supervisor: Supervisor, pool: TaskPool, brokers: BrokerThread[]) {
    this.#controller = controller;
    this.#pool = pool;
    this.#brokers = new Map(brokers.map((b) => [b.brokerId, b]));
    const byName = new Map(brokers.map((b) => [b.name, b]));
    supervisor.on('exit', (exit) => byName.get(exit.name)?.onExit(exit));
    // Each worker start (first start, crash restart, restartBroker) pairs the new incarnation with every broker that has a worker.
    supervisor.on('start', ({ name }) => {
      const started = byName.get(name);
      if (started !== undefined) this.#pair(started);
    });
  }

  /**
   * Checks the options, the data directory and the ports (failing with a
   * ConfigError; port 0 picks ports outside the OS's ephemeral range, see
   * brokerPorts), opens the controller, and starts every broker; resolves
   * once all of them listen and are registered.
   */
  static async start(options: NodeOptions): Promise<KstreamNode> {
    const { brokers, dataDir, port, config } = checkStartOptions(options);
    const logger = options.logger ?? stderrLogger;
    await prepareDataDir(dataDir);
    const ids = Array.from({ length: brokers }, (_, i) => i + 1);
    const ports = await brokerPorts(BROKER_HOST, port, brokers, logger);

    const controller = await Controller.open({
      dir: join(dataDir, 'controller'),
      logger,
      staticBrokerConfig: config,
      ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
    });
    try {
      for (const id of ids) await formatBrokerDir(dataDir, id, controller.clusterId);
    } catch (error) {
      await controller.close();
      throw error;
    }

    const supervisor = new Supervisor({ logger, ...(options.restartPolicy === undefined ? {} : { policy: options.restartPolicy }) });
    const pool = new TaskPool();
    const threads = ids.map(
      (id) =>
        new BrokerThread(
          {
            brokerId: id,
            host: BROKER_HOST,
            port: ports[id - 1]!,
            logDir: brokerDir(dataDir, id),
            heartbeatIntervalMs: options.heartbeatIntervalMs ?? 2_000,
            staticConfig: config,
          },
          { supervisor, controller, pool, logger },
        ),
    );
    const node = new KstreamNode(controller, supervisor, pool, threads);
    try {
      await Promise.all(threads.map((t) => t.start()));
    } catch (error) {
      // The start's error is the one to report; a broker's unclean stop after it is logged.
      await node.stop().catch((stopError: unknown) => logger.error('stopping the node after a failed start', { error: stopError }));
      throw error;
    }
    return node;
  }

  get clusterId(): string {
    return this.#controller.clusterId;
  }

  /** Every broker's listener, in broker id order. */
  get listeners(): Array<{ id: number; host: string; port: number }> {
    return [...this.#brokers.values()].map((b) => ({ id: b.brokerId, host: b.host, port: b.port }));
  }

  describe(): NodeDescription {
    const controller = this.#controller.describe();
    const registrations = new Map(controller.brokers.map((r) => [r.brokerId, r]));
    return {
      clusterId: controller.clusterId,
      brokers: [...this.#brokers.values()].map((b) => {
        const registration = registrations.get(b.brokerId);
        return {
          id: b.brokerId,
          host: b.host,
          port: b.port,
          state: b.state,
          alive: registration !== undefined && !registration.fenced,
          restarts: b.restarts,
          lastCrash: b.lastCrash,
          restart: b.restart,
        };
      }),
      controller,
    };
  }

  crashBroker(id: number): Promise<void> {
    return this.#broker(id).crash();
  }

  /** Stops the broker cleanly and starts it again on the same port; resolves once it is registered again. */
  async restartBroker(id: number): Promise<void> {
    const broker = this.#broker(id);
    await broker.stop();
    await broker.start();
  }

  /**
   * Has broker `from` send a round trip to broker `to` over their channel;
   * resolves with the milliseconds it took. Rejects when the link is cut
   * (after `timeoutMs`) or there is no channel (at once).
   */
  pingLink(from: number, to: number, timeoutMs = 1_000): Promise<number> {
    this.#broker(to);
    return this.#broker(from).pingPeer(to, timeoutMs);
  }

  /**
   * Stops the brokers (each closes its listener, connections and logs), lets
   * running pool tasks finish, then closes the metadata log. Idempotent.
   * Rejects once everything is stopped if a broker did not shut down
   * cleanly (see BrokerThread.stop), so the process can exit non-zero.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const stops = await Promise.allSettled([...this.#brokers.values()].map((b) => b.stop()));
      await this.#pool.close();
      await this.#controller.close();
      const unclean = stops.flatMap((stop) => (stop.status === 'rejected' ? [stop.reason as Error] : []));
      if (unclean.length > 0) throw new Error(unclean.map((error) => error.message).join('; '), { cause: unclean[0] });
    })();
    return this.#stopping;
  }

  /** Creates a fresh channel between `started`'s new worker and every other broker's worker, and hands each end over. */
  #pair(started: BrokerThread): void {
    for (const peer of this.#brokers.values()) {
      if (peer === started || !peer.hasWorker) continue;
      const { port1, port2 } = new MessageChannel();
      started.handOverPeerChannel(peer.brokerId, port1, false);
      peer.handOverPeerChannel(started.brokerId, port2, false);
    }
  }

  #broker(id: number): BrokerThread {
    const broker = this.#brokers.get(id);
    if (broker === undefined) {
      throw new Error(`no broker ${id}: this node runs brokers ${[...this.#brokers.keys()].join(', ')}`);
    }
    return broker;
  }
}

function brokerDir(dataDir: string, brokerId: number): string {
  return join(dataDir, `broker-${brokerId}`);
}

async function formatBrokerDir(dataDir: string, brokerId: number, clusterId: string): Promise<void> {
  try {
    await formatLogDir(brokerDir(dataDir, brokerId), { brokerId, clusterId });
  } catch (error) {
    if (error instanceof InconsistentMetaPropertiesError) {
      throw new ConfigError(`--data-dir ${JSON.stringify(dataDir)}: ${error.message}`);
    }
    throw error;
  }
}
