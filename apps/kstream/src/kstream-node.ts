import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { stderrLogger, Supervisor, withFields } from '@kstream/actor';
import type { Logger, RestartPolicy } from '@kstream/actor';
import { resolveBrokerConfig } from '@kstream/metadata';
import type { BrokerConfigProps } from '@kstream/metadata';
import { formatLogDir, heapUsage, InconsistentMetaPropertiesError } from '@kstream/broker';
import type { RequestFault } from '@kstream/broker';
import type { GroupLag } from '@kstream/group-coordinator';
import { Controller } from '@kstream/controller';
import { brokerPorts } from './broker-ports.js';
import { BrokerThread } from './broker-thread.js';
import { ConfigError } from './config-error.js';
import { moveLeader } from './faults/move-leader.js';
import { NodeFaults } from './faults/node-faults.js';
import { nodeGroupLag } from './group-lag.js';
import { prepareDataDir } from './data-dir.js';
import { LinkCuts } from './link-cuts.js';
import { MetricsServer } from './metrics-server.js';
import { NodeMetrics } from './node-metrics.js';
import type { NodeDescription, NodeHeapUsage } from './node-control.js';
import { checkStartOptions, nodeBrokerConfig, NO_METRICS } from './start-options.js';
import type { StartOptions } from './start-options.js';
import { TaskPool } from './task-pool.js';

/** Brokers listen on loopback only: the node is a single-host cluster. */
export const BROKER_HOST = '127.0.0.1';

export interface NodeOptions extends StartOptions {
  /** How often brokers heartbeat to the controller; overrides the broker config broker.heartbeat.interval.ms. */
  readonly heartbeatIntervalMs?: number;
  /** How long the controller waits for a heartbeat before fencing; overrides the broker config broker.session.timeout.ms. */
  readonly sessionTimeoutMs?: number;
  /** How the supervisor restarts a crashed broker (tests shorten the delays). */
  readonly restartPolicy?: Partial<RestartPolicy>;
  readonly logger?: Logger;
}

/** A broker added to a running node (addBroker). */
export interface AddedBroker {
  readonly id: number;
  readonly host: string;
  readonly port: number;
}

/** What every broker of the node, and one added later, is started with. */
interface BrokerSettings {
  readonly dataDir: string;
  /** The node's --port: each broker's is `port + id - 1`, or a free one for 0. */
  readonly port: number;
  readonly heartbeatIntervalMs: number;
  /** The controller's fencing timeout, which each broker counts too. */
  readonly sessionTimeoutMs: number;
  readonly config: BrokerConfigProps;
  /** The brokers the node started with, which share the process's open-file limit (log.open.files.max 0). */
  readonly brokers: number;
}

/**
 * A running kstream node: the controller actor and the supervisor on this
 * (main) thread, one worker thread per broker, a channel per pair of brokers,
 * and the piscina pool. Its fault-injection methods (pause, cuts) serve
 * tests and users who want to watch failover.
 */
export class KstreamNode {
  /** None until start has read the metadata log, which it does before any broker begins. */
  #controller: Controller | undefined;
  readonly #supervisor: Supervisor;
  readonly #pool: TaskPool;
  readonly #logger: Logger;
  readonly #settings: BrokerSettings;
  readonly #brokers = new Map<number, BrokerThread>();
  readonly #linkCuts = new LinkCuts();
  /** Faults on demand in the brokers' request path (the test harness's). */
  readonly faults = new NodeFaults((faults) => this.#setRequestFaults(faults));
  /** Set by start when the node serves metrics (--metrics-port). */
  #metricsServer: MetricsServer | undefined;
  /** Brokers are added one at a time: each takes the next id and a port the one before it has bound. */
  #adding: Promise<unknown> = Promise.resolve();
  #stopping: Promise<void> | null = null;

  private constructor(supervisor: Supervisor, pool: TaskPool, logger: Logger, settings: BrokerSettings) {
    this.#supervisor = supervisor;
    this.#pool = pool;
    this.#logger = logger;
    this.#settings = settings;
    supervisor.on('exit', (exit) => this.#byName(exit.name)?.onExit(exit));
    // Each worker start (first start, crash restart, restartBroker, startBroker) pairs the new incarnation with every broker that has a worker.
    supervisor.on('start', ({ name }) => {
      const started = this.#byName(name);
      if (started !== undefined) this.#pair(started);
      if (started !== undefined && this.faults.current.length > 0) {
        started.setRequestFaults(this.faults.current).catch((error: unknown) => logger.warn(`broker ${started.brokerId}: could not hand it the injected faults`, { error }));
      }
    });
  }

  /**
   * Checks the options, the data directory and the ports (failing with a
   * ConfigError; port 0 picks ports outside the OS's ephemeral range, see
   * brokerPorts), opens the controller, and starts every broker; resolves
   * once all of them listen and are registered.
   */
  static async start(options: NodeOptions): Promise<KstreamNode> {
    const { brokers, dataDir, port, config: given, metricsPort = NO_METRICS } = checkStartOptions(options);
    const config = nodeBrokerConfig(brokers, given);
    const logger = options.logger ?? stderrLogger;
    await prepareDataDir(dataDir);
    const ids = Array.from({ length: brokers }, (_, i) => i + 1);
    const ports = await brokerPorts(BROKER_HOST, port, brokers, logger);

    const configured = resolveBrokerConfig(config);
    const sessionTimeoutMs = options.sessionTimeoutMs ?? configured['broker.session.timeout.ms'];
    const supervisor = new Supervisor({ logger, ...(options.restartPolicy === undefined ? {} : { policy: options.restartPolicy }) });
    const settings = {
      dataDir,
      port,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? configured['broker.heartbeat.interval.ms'],
      sessionTimeoutMs,
      config,
      brokers,
    };
    const node = new KstreamNode(supervisor, new TaskPool(), logger, settings);
    try {
      // The brokers' threads load their code while the controller reads its
      // metadata log (~0.3 s of this thread at 10,000 partitions); each
      // starts once its directory is formatted with the controller's cluster id.
      const threads = ids.map((id) => node.#addThread(id, ports[id - 1]!));
      for (const thread of threads) thread.load();
      const controller = await Controller.open({
        dir: join(dataDir, 'controller'),
        logger: withFields(logger, { component: 'controller' }),
        staticBrokerConfig: config,
        sessionTimeoutMs,
      });
      node.#controller = controller;
      for (const id of ids) await formatBrokerDir(dataDir, id, controller.clusterId);
      // Before any broker starts: a metrics port in use fails the start at once.
      if (metricsPort !== NO_METRICS) await node.#serveMetrics(metricsPort);
      await Promise.all(threads.map((t) => t.begin()));
    } catch (error) {
      // The start's error is the one to report; a broker's unclean stop after it is logged.
      await node.stop().catch((stopError: unknown) => logger.error('stopping the node after a failed start', { error: stopError }));
      throw error;
    }
    return node;
  }

  /** `http://127.0.0.1:<port>/metrics`, when the node serves Prometheus metrics. */
  get metricsUrl(): string | undefined {
    return this.#metricsServer?.url;
  }

  get clusterId(): string {
    return this.#opened().clusterId;
  }

  /** Every broker's listener, in broker id order. */
  get listeners(): Array<{ id: number; host: string; port: number }> {
    return [...this.#brokers.values()].map((b) => ({ id: b.brokerId, host: b.host, port: b.port }));
  }

  describe(): NodeDescription {
    const controller = this.#opened().describe();
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
          cutLinks: this.#linkCuts.peersOf(b.brokerId),
          controllerCut: b.controllerCut,
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

  /** Stops the broker cleanly (controlled shutdown, then close); it stays down until startBroker. */
  stopBroker(id: number): Promise<void> {
    const broker = this.#broker(id);
    if (broker.state === 'stopped') return Promise.reject(new Error(`broker ${id} is not running (it is stopped)`));
    return broker.stop();
  }

  /** Starts a stopped broker again on its port; resolves once it listens and is registered. */
  startBroker(id: number): Promise<void> {
    const broker = this.#broker(id);
    if (broker.state !== 'stopped') return Promise.reject(new Error(`broker ${id} is already ${broker.state}`));
    return broker.start();
  }

  /** Holds broker `id`'s thread until resumeBroker: it answers nothing, misses heartbeats, and is fenced after the session timeout. */
  pauseBroker(id: number): Promise<void> {
    return this.#broker(id).pause();
  }

  resumeBroker(id: number): Promise<void> {
    return this.#broker(id).resume();
  }

  /** Drops everything between brokers `a` and `b`, both ways, until healLink (also across their restarts). */
  cutLink(a: number, b: number): Promise<void> {
    return this.#setLinkCut(a, b, true);
  }

  healLink(a: number, b: number): Promise<void> {
    return this.#setLinkCut(a, b, false);
  }

  /** Drops everything between broker `id` and the controller, both ways, until healController: it is fenced after the session timeout. */
  cutController(id: number): void {
    this.#broker(id).setControllerCut(true);
  }

  healController(id: number): void {
    this.#broker(id).setControllerCut(false);
  }

  /** Resumes every paused broker, then heals every cut link and controller channel. */
  async healAll(): Promise<void> {
    const brokers = [...this.#brokers.values()];
    await Promise.all(brokers.filter((b) => b.state === 'paused').map((b) => b.resume()));
    await Promise.all(this.#linkCuts.pairs().map(([a, b]) => this.healLink(a, b)));
    for (const broker of brokers) broker.setControllerCut(false);
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

  /** The committed offsets and lag of a consumer group, from the broker that coordinates it (see nodeGroupLag). */
  groupLag(groupId: string): Promise<GroupLag | null> {
    return nodeGroupLag({ metadata: this.#opened().metadata, broker: (id) => this.#brokers.get(id) }, groupId);
  }

  /** Makes broker `toBroker`, a replica of the partition, its leader (see moveLeader); resolves once the controller has elected it. */
  moveLeader(topic: string, partition: number, toBroker: number): Promise<void> {
    this.#broker(toBroker);
    return moveLeader(this.#opened(), topic, partition, toBroker);
  }

  /** Each thread's V8 heap, each collected first with `collectGarbage` when gc() is exposed (see NodeControl.heapUsage). */
  async heapUsage({ collectGarbage = false }: { readonly collectGarbage?: boolean } = {}): Promise<NodeHeapUsage> {
    const running = [...this.#brokers.values()].filter((b) => b.state === 'running');
    // One thread at a time: the brokers' collections would compete for the host's cores, and the main thread's is last so that it finds their replies' garbage.
    const brokers = [];
    for (const broker of running) brokers.push({ id: broker.brokerId, ...(await broker.heapUsage(collectGarbage)) });
    return { main: heapUsage(collectGarbage), brokers };
  }

  /**
   * Starts one more broker: the next id, a port chosen as the others' were
   * (`port + id - 1`, or a free one for --port 0), its log directory
   * formatted with the cluster id, paired with every running broker and
   * registered with the controller. Partitions come to it by reassignment or
   * with new topics. It lasts for this run: a node started again runs the
   * brokers its options name.
   */
  addBroker(): Promise<AddedBroker> {
    const added = this.#adding.then(async () => {
      if (this.#stopping !== null) throw new Error('the node is stopping: no broker can be added');
      const id = Math.max(...this.#brokers.keys()) + 1;
      const { dataDir, port } = this.#settings;
      const [brokerPort] = await brokerPorts(BROKER_HOST, port === 0 ? 0 : port + id - 1, 1, this.#logger);
      await formatBrokerDir(dataDir, id, this.clusterId);
      const broker = this.#addThread(id, brokerPort!);
      await broker.start();
      return { id, host: broker.host, port: broker.port };
    });
    this.#adding = added.catch(() => undefined);
    return added;
  }

  /**
   * Stops the brokers (each closes its listener, connections and logs), lets
   * running pool tasks finish, then closes the metadata log. Idempotent.
   * Rejects once everything is stopped if a broker did not shut down
   * cleanly (see BrokerThread.stop), so the process can exit non-zero.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await this.#adding;
      // A cut channel would hold each broker's controlled shutdown until its timeout.
      for (const broker of this.#brokers.values()) broker.setControllerCut(false);
      await this.#metricsServer?.close();
      const stops = await Promise.allSettled([...this.#brokers.values()].map((b) => b.stop()));
      await this.#pool.close();
      // Absent when the start failed before the metadata log was read.
      await this.#controller?.close();
      const unclean = stops.flatMap((stop) => (stop.status === 'rejected' ? [stop.reason as Error] : []));
      if (unclean.length > 0) throw new Error(unclean.map((error) => error.message).join('; '), { cause: unclean[0] });
    })();
    return this.#stopping;
  }

  async #serveMetrics(port: number): Promise<void> {
    const metrics = new NodeMetrics({ brokers: () => [...this.#brokers.values()], metadata: this.#opened().metadata });
    this.#metricsServer = await MetricsServer.listen(BROKER_HOST, port, metrics, this.#logger);
    this.#logger.info(`kstream: Prometheus metrics at ${this.#metricsServer.url}`);
  }

  /** The controller, which every method but start and stop runs after. */
  #opened(): Controller {
    if (this.#controller === undefined) throw new Error('the node has not read its metadata log yet');
    return this.#controller;
  }

  #addThread(id: number, port: number): BrokerThread {
    const { dataDir, heartbeatIntervalMs, sessionTimeoutMs, config, brokers } = this.#settings;
    // A broker added later gets the share it would have had in a node started with it; those running keep theirs.
    const brokersInProcess = Math.max(brokers, this.#brokers.size + 1);
    const thread = new BrokerThread(
      { brokerId: id, host: BROKER_HOST, port, logDir: brokerDir(dataDir, id), heartbeatIntervalMs, sessionTimeoutMs, staticConfig: config, brokersInProcess },
      { supervisor: this.#supervisor, controller: () => this.#controller, pool: this.#pool, logger: this.#logger, faultCounters: this.faults.counters },
    );
    this.#brokers.set(id, thread);
    return thread;
  }

  /** Creates a fresh channel between `started`'s new worker and every other broker's worker, and hands each end over. */
  #pair(started: BrokerThread): void {
    for (const peer of this.#brokers.values()) {
      if (peer === started || !peer.hasWorker) continue;
      const { port1, port2 } = new MessageChannel();
      const cut = this.#linkCuts.has(started.brokerId, peer.brokerId);
      started.handOverPeerChannel(peer.brokerId, port1, cut);
      peer.handOverPeerChannel(started.brokerId, port2, cut);
    }
  }

  async #setLinkCut(a: number, b: number, cut: boolean): Promise<void> {
    const ends = [this.#broker(a), this.#broker(b)] as const;
    if (a === b) throw new Error(`broker ${a} has no link to itself: name two different brokers`);
    const paused = ends.find((end) => end.state === 'paused');
    if (paused !== undefined) throw new Error(`broker ${paused.brokerId} is paused: resume it before cutting or healing its links`);
    if (cut) this.#linkCuts.add(a, b);
    else this.#linkCuts.delete(a, b);
    await Promise.all([ends[0].setPeerCut(b, cut), ends[1].setPeerCut(a, cut)]);
  }

  async #setRequestFaults(faults: readonly RequestFault[]): Promise<void> {
    await Promise.all([...this.#brokers.values()].map((b) => b.setRequestFaults(faults)));
  }

  #byName(name: string): BrokerThread | undefined {
    return [...this.#brokers.values()].find((b) => b.name === name);
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
