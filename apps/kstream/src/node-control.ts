import type { HeapUsage } from '@kstream/broker';
import type { ControllerDescription } from '@kstream/controller';
import type { GroupLag } from '@kstream/group-coordinator';
import type { BrokerCrash, BrokerRestart, BrokerThreadState } from './broker-thread.js';
import type { DelayResponsesOptions, DropConnectionsOptions, FaultDescription, InjectErrorsOptions } from './faults/fault-options.js';
import type { AddedBroker } from './kstream-node.js';

export interface BrokerDescription {
  readonly id: number;
  readonly host: string;
  readonly port: number;
  /** The worker thread's state, as the node's supervisor sees it. */
  readonly state: BrokerThreadState;
  /** The controller counts the broker as alive: registered and not fenced. */
  readonly alive: boolean;
  /** Times the worker was started again after its first start (crash restarts and restartBroker). */
  readonly restarts: number;
  /** How the worker last crashed, if it ever did; kept after the broker is back. */
  readonly lastCrash: BrokerCrash | null;
  /** While the broker comes back from a crash ('restarting', then 'starting'): the attempt and when it is due. */
  readonly restart: BrokerRestart | null;
  /** The brokers whose link to this one is cut (cutLink), in id order. */
  readonly cutLinks: readonly number[];
  /** Its channel to the controller is cut (cutController). */
  readonly controllerCut: boolean;
}

export interface NodeDescription {
  readonly clusterId: string;
  readonly brokers: readonly BrokerDescription[];
  readonly controller: ControllerDescription;
}

/** The node's V8 heaps: one for each thread (heapUsage). */
export interface NodeHeapUsage {
  /** The main thread's: the controller's, the supervisor's, and the embedding program's own. */
  readonly main: HeapUsage;
  /** Each running broker's worker thread's, in id order. */
  readonly brokers: readonly (HeapUsage & { readonly id: number })[];
}

/**
 * The node's control API, what `startCluster` exposes over comlink to the
 * embedding program, the CLI and tests. Control plane only: client traffic
 * goes to the brokers' listeners.
 */
export interface NodeControl {
  describe(): NodeDescription;
  /** Ends broker `id`'s worker abruptly, like a crash; the supervisor restarts it. Resolves once it has exited and the controller fenced it. */
  crashBroker(id: number): Promise<void>;
  /** Stops broker `id` cleanly and starts it again on its port; resolves once it is registered again. */
  restartBroker(id: number): Promise<void>;
  /** Stops broker `id` cleanly (the controller first moves its leaderships: controlled shutdown); it stays down until startBroker. */
  stopBroker(id: number): Promise<void>;
  /** Starts stopped broker `id` again on its port; resolves once it is registered. */
  startBroker(id: number): Promise<void>;
  /** Holds broker `id`'s thread (a long GC pause, a hung disk): it answers nobody until resumed; resolves once held. */
  pauseBroker(id: number): Promise<void>;
  /** Lets paused broker `id` run again; it finds itself fenced if its session timed out, and registers again. */
  resumeBroker(id: number): Promise<void>;
  /** Drops every message between brokers `a` and `b`, both ways (asks time out), until healLink; resolves once both apply it. */
  cutLink(a: number, b: number): Promise<void>;
  healLink(a: number, b: number): Promise<void>;
  /** Drops every message between broker `id` and the controller, both ways, until healController: the controller fences it after the session timeout. */
  cutController(id: number): Promise<void>;
  /** Heals broker `id`'s channel to the controller; it registers again at its next heartbeat and gets a snapshot. */
  healController(id: number): Promise<void>;
  /** Resumes every paused broker and heals every cut. */
  healAll(): Promise<void>;
  /** Starts one more broker (the next id, its own port), paired with the others and registered; resolves with its id, host and port. */
  addBroker(): Promise<AddedBroker>;
  /** Broker `from` sends a round trip to broker `to` over their channel; resolves with its milliseconds, rejects when the link is cut (after `timeoutMs`, default 1000) or missing. */
  pingLink(from: number, to: number, timeoutMs?: number): Promise<number>;
  /**
   * A consumer group's committed offsets and the lag of each partition (its
   * high watermark minus the committed offset; unknown while its leader is
   * down), from the broker that coordinates the group; null when there is
   * no such group. Rejects while the group has no coordinator.
   */
  groupLag(groupId: string): Promise<GroupLag | null>;
  /** Faults on demand (Cluster.faults has the same calls): see ClusterFaults. */
  injectErrors(options: InjectErrorsOptions): Promise<FaultDescription>;
  delayResponses(options: DelayResponsesOptions): Promise<FaultDescription>;
  dropConnections(options: DropConnectionsOptions): Promise<FaultDescription>;
  listFaults(): FaultDescription[];
  clearFaults(): Promise<void>;
  /** Makes broker `toBroker`, a replica of the partition, its leader: replicas reordered, preferred leader elected; resolves once elected. */
  moveLeader(topic: string, partition: number, toBroker: number): Promise<void>;
  /**
   * The V8 heap of each thread of the node: the main thread's and each running
   * broker's. With `collectGarbage`, each thread runs a full collection of its
   * heap first (a pause of each, in turn), so that `usedBytes` is what is
   * kept alive; that needs a process started with --expose-gc, and each
   * heap's `collected` says whether it ran.
   */
  heapUsage(options?: { readonly collectGarbage?: boolean }): Promise<NodeHeapUsage>;
}
