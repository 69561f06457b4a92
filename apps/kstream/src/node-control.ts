import type { ControllerDescription } from '@kstream/controller';
import type { BrokerCrash, BrokerRestart, BrokerThreadState } from './broker-thread.js';

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
}

export interface NodeDescription {
  readonly clusterId: string;
  readonly brokers: readonly BrokerDescription[];
  readonly controller: ControllerDescription;
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
  /** Broker `from` sends a round trip to broker `to` over their channel; resolves with its milliseconds, rejects when the link is cut (after `timeoutMs`, default 1000) or missing. */
  pingLink(from: number, to: number, timeoutMs?: number): Promise<number>;
}
