import { MessageChannel } from 'node:worker_threads';
import type { MessagePort, Worker } from 'node:worker_threads';
import { CuttableEndpoint, Mailbox, spawnWorker, unknownMessage } from '@kstream/actor';
import type { ChildExit, Logger, Supervisor } from '@kstream/actor';
import { BROKER_RESOURCE_LIMITS, brokerWorkerUrl, PauseGate } from '@kstream/broker';
import type {
  BrokerConfig,
  BrokerMetricsSnapshot,
  BrokerReplies,
  BrokerRequest,
  BrokerWorkerData,
  HeapUsage,
  NodeRequest,
  PartitionEndOffset,
  RequestFault,
} from '@kstream/broker';
import type { GroupLag } from '@kstream/group-coordinator';
import type { Controller } from '@kstream/controller';
import type { TaskPool } from './task-pool.js';

/** Where a broker's worker thread is in its life, as the node sees it; 'paused' is a running broker whose thread is held (pauseBroker). */
export type BrokerThreadState = 'starting' | 'running' | 'paused' | 'restarting' | 'stopped';

/** How a broker's worker last ended without being asked to. */
export interface BrokerCrash {
  /** The worker's exit code; null when a restart failed before a worker existed. */
  readonly exitCode: number | null;
  /** The uncaught error's message, when the worker threw (e.g. its port in use). */
  readonly error: string | null;
  /** When it ended, as an ISO 8601 time. */
  readonly at: string;
}

/** A broker coming back after a crash: from the crash until it runs again. */
export interface BrokerRestart {
  /** Which restart in a row this is, from 1: each start that fails before the broker runs for a while adds one. */
  readonly attempt: number;
  /** When this restart is (or was) due, as an ISO 8601 time; the delay doubles with each attempt, up to a cap. */
  readonly dueAt: string;
}

interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  // Nobody may be waiting when an incarnation fails; that is no unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

const SHUTDOWN_TIMEOUT_MS = 10_000;
/** What an ask from the node allows beyond the timeout the broker itself applies to the work asked of it. */
const NODE_ASK_MARGIN_MS = 1_000;
/** How long a pause or a resume may take to take effect: the broker's loop may be busy with a long task when told. */
const PAUSE_TIMEOUT_MS = 10_000;
/** How long a broker may take to apply a cut: its loop answers at once unless busy. */
const CUT_TIMEOUT_MS = 5_000;
/** How long a control API question about groups may take: the broker answers from memory unless busy. */
const QUERY_TIMEOUT_MS = 5_000;

export interface BrokerThreadDeps {
  readonly supervisor: Supervisor;
  /** The node's controller; none while it opens, when a broker's worker may only load (load, then begin). */
  readonly controller: () => Controller | undefined;
  readonly pool: TaskPool;
  readonly logger: Logger;
  /** The node's fault counters (NodeFaults), shared with every worker. */
  readonly faultCounters: SharedArrayBuffer;
}

/**
 * One broker's worker thread as the node sees it: starts it under the
 * supervisor (each incarnation with a fresh channel to the controller), keeps
 * its port across restarts, serves its pool-task requests, and stops it.
 * Owned by the main thread.
 */
export class BrokerThread {
  readonly brokerId: number;
  readonly name: string;
  readonly #config: { -readonly [K in keyof BrokerConfig]: BrokerConfig[K] };
  readonly #deps: BrokerThreadDeps;
  #state: BrokerThreadState = 'stopped';
  #starts = 0;
  #lastCrash: BrokerCrash | null = null;
  #restart: BrokerRestart | null = null;
  #mailbox: Mailbox<NodeRequest, BrokerRequest, BrokerReplies> | null = null;
  /** The node's end of the channel to the controller, cuttable (cutController). */
  #controllerLink: { readonly port: MessagePort; readonly endpoint: CuttableEndpoint } | null = null;
  /** The current worker's channel is attached to the controller: its exit fences it there. */
  #attached = false;
  /** The start of the worker load started, which begin waits for. */
  #loading: Deferred | null = null;
  /** Kept across restarts, as a network partition outlives a process: a restarted broker's channel starts cut. */
  #controllerCut = false;
  #pauseGate = new PauseGate();
  #paused = false;
  #started: Deferred = deferred();
  #exited: Deferred = deferred();

  constructor(config: BrokerConfig, deps: BrokerThreadDeps) {
    this.brokerId = config.brokerId;
    this.name = `broker-${config.brokerId}`;
    this.#config = { ...config };
    this.#deps = deps;
  }

  get host(): string {
    return this.#config.host;
  }

  /** The listener port; after a start with port 0, the one the OS picked. */
  get port(): number {
    return this.#config.port;
  }

  get state(): BrokerThreadState {
    return this.#paused ? 'paused' : this.#state;
  }

  /** Whether the broker's channel to the controller is cut (cutController). */
  get controllerCut(): boolean {
    return this.#controllerCut;
  }

  /** How many times the worker was started again after its first start. */
  get restarts(): number {
    return Math.max(0, this.#starts - 1);
  }

  get lastCrash(): BrokerCrash | null {
    return this.#lastCrash;
  }

  /** The restart under way after a crash; null while running or stopped. */
  get restart(): BrokerRestart | null {
    return this.#restart;
  }

  /** Whether the broker has a worker (starting or running): one that can take a channel to a peer. */
  get hasWorker(): boolean {
    return this.#mailbox !== null;
  }

  /** Hands the worker the faults its requests meet (the whole list); resolves once it has them, at once when it has no worker. */
  async setRequestFaults(faults: readonly RequestFault[]): Promise<void> {
    if (this.#mailbox === null) return;
    await this.#mailbox.ask({ type: 'SetRequestFaults', faults }, { timeoutMs: CUT_TIMEOUT_MS });
  }

  /** Hands the worker its end of a fresh channel to broker `peerId`, replacing any before it; `cut` if that link is cut. */
  handOverPeerChannel(peerId: number, port: MessagePort, cut: boolean): void {
    if (this.#mailbox === null) throw new Error(`broker ${this.brokerId} has no worker to take a channel to broker ${peerId} (it is ${this.#state})`);
    // Before the channel: nothing may cross a cut link, not even at once.
    if (cut) this.#mailbox.tell({ type: 'CutPeerLink', peerId, cut });
    this.#mailbox.tell({ type: 'PeerChannel', peerId, port }, { transfer: [port] });
  }

  /** Has the broker send a round trip to broker `peerId` over their channel; resolves with the milliseconds it took. */
  pingPeer(peerId: number, timeoutMs: number): Promise<number> {
    if (this.#mailbox === null) return Promise.reject(new Error(`broker ${this.brokerId} is not running (it is ${this.#state})`));
    // The broker's own ask has the timeout; this one only bounds a broker that does not answer at all.
    return this.#mailbox.ask({ type: 'PingPeer', peerId, timeoutMs }, { timeoutMs: timeoutMs + NODE_ASK_MARGIN_MS });
  }

  /** The lag of a group this broker coordinates (null when it has no such group), given the end offsets other leaders reported. */
  async groupLag(groupId: string, endOffsets: readonly PartitionEndOffset[]): Promise<GroupLag | null> {
    return this.#running().ask({ type: 'GroupLag', groupId, endOffsets }, { timeoutMs: QUERY_TIMEOUT_MS });
  }

  /** The end offsets (high watermarks) of those of `partitions` this broker leads. */
  async endOffsets(partitions: readonly { topic: string; partition: number }[]): Promise<PartitionEndOffset[]> {
    return this.#running().ask({ type: 'EndOffsets', partitions }, { timeoutMs: QUERY_TIMEOUT_MS });
  }

  /** The broker's Prometheus metrics (a scrape of the node's /metrics); rejects when it is not running or does not answer within `timeoutMs`. */
  async metrics(timeoutMs: number): Promise<BrokerMetricsSnapshot> {
    return this.#running().ask({ type: 'Metrics' }, { timeoutMs });
  }

  /** The worker thread's V8 heap, after a full collection when `collectGarbage` and gc() is exposed. */
  async heapUsage(collectGarbage: boolean): Promise<HeapUsage> {
    return this.#running().ask({ type: 'HeapUsage', collectGarbage }, { timeoutMs: QUERY_TIMEOUT_MS });
  }

  /** The channel to a running worker, for a question. */
  #running(): Mailbox<NodeRequest, BrokerRequest, BrokerReplies> {
    if (this.#mailbox === null || this.#state !== 'running') throw new Error(`broker ${this.brokerId} is not running (it is ${this.#state})`);
    return this.#mailbox;
  }

  /** Starts the worker under the supervisor; resolves once it listens and is registered. */
  start(): Promise<void> {
    // The supervisor calls the factory at once, so #started is this incarnation's.
    this.#deps.supervisor.start(this.name, () => this.#spawn());
    return this.#started.promise;
  }

  /**
   * Starts the worker while the node's controller is not open yet: it loads
   * its code, then waits for begin to open its logs, listen and register.
   */
  load(): void {
    this.#deps.supervisor.start(this.name, () => this.#spawn());
    this.#loading = this.#started;
    // Its end before begin is begin's to report.
    this.#started.promise.catch(() => undefined);
  }

  /**
   * The controller is open and the broker's directory formatted: the worker
   * load started is attached to the controller and told to start. Resolves
   * once it listens and is registered; rejects if that worker ended first.
   */
  begin(): Promise<void> {
    const controller = this.#deps.controller();
    const loading = this.#loading;
    if (controller === undefined || loading === null) throw new Error(`broker ${this.brokerId}: begin needs an open controller and a worker started by load`);
    this.#loading = null;
    if (!this.#attached && this.#controllerLink !== null && this.#mailbox !== null && this.#started === loading) {
      controller.attachBroker(this.brokerId, this.#controllerLink.endpoint);
      this.#attached = true;
      this.#mailbox.tell({ type: 'Begin' });
    }
    return loading.promise;
  }

  /** The supervisor saw this broker's worker end. */
  onExit(exit: ChildExit): void {
    const { logger } = this.#deps;
    const controller = this.#attached ? this.#deps.controller() : undefined;
    this.#attached = false;
    this.#mailbox?.close();
    this.#mailbox = null;
    this.#controllerLink?.port.close();
    this.#controllerLink = null;
    this.#paused = false;
    const { next } = exit;
    const cause = exit.error ? exit.error.message : `exit code ${exit.exitCode}`;
    if (next.action === 'restart') {
      const now = Date.now();
      this.#state = 'restarting';
      this.#lastCrash = { exitCode: exit.exitCode, error: exit.error?.message ?? null, at: new Date(now).toISOString() };
      this.#restart = { attempt: next.attempt, dueAt: new Date(now + next.delayMs).toISOString() };
      logger.error(`broker ${this.brokerId} crashed (${cause}); restarting it in ${next.delayMs} ms (attempt ${next.attempt})`, {
        exitCode: exit.exitCode,
        error: exit.error,
      });
    } else {
      this.#state = 'stopped';
      this.#restart = null;
    }
    this.#started.reject(new Error(`broker ${this.brokerId} stopped before it was ready: ${cause}`));
    const exited = this.#exited;
    // A worker that only loaded never reached the controller: nothing to fence.
    if (controller === undefined) {
      exited.resolve();
      return;
    }
    controller
      .detachBroker(this.brokerId, next.action === 'stop' ? 'stopped' : `worker exited: ${cause}`)
      .catch((error: unknown) => logger.error(`could not fence broker ${this.brokerId}`, { error }))
      .finally(() => exited.resolve());
  }

  /**
   * Holds the broker's thread (Atomics.wait), as a long GC pause or a hung
   * disk would: it answers nothing — clients, peers, controller, node —
   * until resumed. Resolves once the thread is held.
   */
  async pause(): Promise<void> {
    const mailbox = this.#runningMailbox('pause');
    const gate = this.#pauseGate;
    gate.request();
    mailbox.tell({ type: 'Pause' });
    if (!(await gate.whenPaused(PAUSE_TIMEOUT_MS))) {
      gate.release();
      throw new Error(`broker ${this.brokerId} did not pause within ${PAUSE_TIMEOUT_MS} ms: its loop is busy`);
    }
    this.#paused = true;
  }

  /** Lets a paused broker's thread run again; resolves once it does. */
  async resume(): Promise<void> {
    if (!this.#paused) throw new Error(`broker ${this.brokerId} is not paused (it is ${this.state})`);
    this.#pauseGate.release();
    const running = await this.#pauseGate.whenRunning(PAUSE_TIMEOUT_MS);
    // Released either way: a thread that has not woken yet is no longer held.
    this.#paused = false;
    if (!running) throw new Error(`broker ${this.brokerId} was released but its thread did not run again within ${PAUSE_TIMEOUT_MS} ms`);
  }

  /** Cuts (or heals) the broker's channel to the controller: both ways, everything is dropped until healed, also across restarts. */
  setControllerCut(cut: boolean): void {
    this.#controllerCut = cut;
    if (cut) this.#controllerLink?.endpoint.cut();
    else this.#controllerLink?.endpoint.heal();
  }

  /**
   * Cuts (or heals) the broker's link to broker `peerId`; resolves once the
   * broker applies it. A broker without a worker gets the cut with its next
   * channel (handOverPeerChannel); a paused one answers only once resumed.
   */
  async setPeerCut(peerId: number, cut: boolean): Promise<void> {
    if (this.#mailbox === null) return;
    await this.#mailbox.ask({ type: 'CutPeerLink', peerId, cut }, { timeoutMs: CUT_TIMEOUT_MS });
  }

  /** Ends the worker abruptly, as a crash would; the supervisor restarts it. Resolves once it has exited and is fenced. */
  async crash(): Promise<void> {
    const worker = this.#deps.supervisor.worker(this.name);
    if (worker === undefined) throw new Error(`broker ${this.brokerId} has no running worker to crash (it is ${this.#state})`);
    const exited = this.#exited.promise;
    await worker.terminate();
    await exited;
  }

  /**
   * Asks the broker to close its listener, connections and logs, then ends
   * its thread without restarting it; resolves once the controller has fenced it. If the broker could not shut down
   * cleanly (its logs not flushed or checkpointed: a full disk; no answer in
   * time), the thread is ended all the same and stop then rejects, naming
   * the broker and the cause.
   */
  async stop(): Promise<void> {
    // A held thread could not answer the Shutdown.
    if (this.#paused) await this.resume();
    let unclean: Error | undefined;
    if (this.#mailbox !== null && this.#state === 'running') {
      try {
        await this.#mailbox.ask({ type: 'Shutdown' }, { timeoutMs: SHUTDOWN_TIMEOUT_MS });
      } catch (error) {
        unclean = new Error(`broker ${this.brokerId} did not shut down cleanly: ${(error as Error).message}`, { cause: error });
      }
    }
    const exited = this.#mailbox === null ? null : this.#exited.promise;
    await this.#deps.supervisor.stop(this.name);
    // Fenced by the controller once its exit is handled (onExit).
    await exited;
    // A broker waiting to be restarted has no worker and so no exit to report.
    this.#state = 'stopped';
    this.#restart = null;
    if (unclean !== undefined) throw unclean;
  }

  /** The mailbox of a running, unpaused broker, for `what`; throws naming the broker otherwise. */
  #runningMailbox(what: string): Mailbox<NodeRequest, BrokerRequest, BrokerReplies> {
    if (this.#paused) throw new Error(`cannot ${what} broker ${this.brokerId}: it is already paused`);
    if (this.#mailbox === null || this.#state !== 'running') throw new Error(`cannot ${what} broker ${this.brokerId}: it is not running (it is ${this.#state})`);
    return this.#mailbox;
  }

  #spawn(): Worker {
    const { pool, logger } = this.#deps;
    const controller = this.#deps.controller();
    const { port1, port2 } = new MessageChannel();
    const endpoint = new CuttableEndpoint(port1);
    if (this.#controllerCut) endpoint.cut();
    controller?.attachBroker(this.brokerId, endpoint);
    this.#attached = controller !== undefined;
    this.#pauseGate = new PauseGate();
    const workerData: BrokerWorkerData = {
      config: { ...this.#config },
      controllerPort: port2,
      pauseState: this.#pauseGate.buffer,
      faultCounters: this.#deps.faultCounters,
      awaitBegin: controller === undefined,
    };
    const worker = spawnWorker(brokerWorkerUrl, { name: this.name, workerData, transferList: [port2], resourceLimits: BROKER_RESOURCE_LIMITS });
    this.#controllerLink = { port: port1, endpoint };
    this.#mailbox = new Mailbox<NodeRequest, BrokerRequest, BrokerReplies>(worker, {
      name: this.name,
      logger,
      handle: (msg) => this.#handle(msg, pool),
    });
    this.#starts += 1;
    this.#state = 'starting';
    this.#started = deferred();
    this.#exited = deferred();
    return worker;
  }

  async #handle(msg: NodeRequest, pool: TaskPool): Promise<unknown> {
    switch (msg.type) {
      case 'BrokerStarted':
        // Later incarnations must come back on the same port, even if the
        // first one asked the OS for a free one.
        this.#config.port = msg.port;
        this.#state = 'running';
        this.#restart = null;
        this.#started.resolve();
        return;
      case 'RunPoolTask':
        return pool.serve(msg);
      case 'Log':
        this.#deps.logger[msg.level](msg.msg, msg.fields);
        return;
      default:
        return unknownMessage(msg);
    }
  }
}
