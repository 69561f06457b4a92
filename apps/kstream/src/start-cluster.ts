import { MessageChannel } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { atLevel, stderrLogger } from '@kstream/actor';
import nodeAdapter from 'comlink/dist/umd/node-adapter.js';
import { KstreamNode } from './kstream-node.js';
import type { NodeOptions } from './kstream-node.js';
import type { ClusterFaults } from './faults/fault-options.js';
import type { NodeControl } from './node-control.js';
import { START_DEFAULTS } from './start-options.js';

// The UMD build's module.exports is the adapter function itself, while its
// typings declare it as a default export.
const nodeEndpoint = nodeAdapter as unknown as typeof nodeAdapter.default;

export interface ClusterOptions extends Partial<NodeOptions> {
  readonly dataDir: string;
}

export interface Cluster {
  /** `host:port` of every broker, comma-separated: a Kafka client's bootstrap.servers. */
  readonly bootstrap: string;
  readonly brokers: ReadonlyArray<{ readonly id: number; readonly host: string; readonly port: number }>;
  /** `http://127.0.0.1:<port>/metrics` when the cluster serves Prometheus metrics (`metricsPort`; embedded clusters serve none by default). */
  readonly metricsUrl: string | undefined;
  /** The node's control API, through comlink. */
  readonly control: Comlink.Remote<NodeControl>;
  /**
   * Faults on demand in the brokers' request path: inject an error code for
   * the next N requests of an API (per topic, partition, client id or
   * broker), delay responses, drop connections; list and clear them.
   */
  readonly faults: ClusterFaults;
  /** Makes broker `toBroker`, a replica of the partition, its leader; resolves once the controller elected it (clients follow on their next metadata refresh). */
  moveLeader(topic: string, partition: number, toBroker: number): Promise<void>;
  /**
   * Shuts the cluster down cleanly; resolves once every thread and file is
   * closed. Rejects, once everything is stopped all the same, if a broker
   * could not shut down cleanly (e.g. a full disk): the next start recovers.
   */
  stop(): Promise<void>;
}

/**
 * Starts a kstream node inside this program: `brokers` broker threads
 * (default 3) listening on 127.0.0.1 from `port` on (default 9092; 0 picks
 * free ports), with their data under `dataDir`. Without a `logger` it writes
 * its warn and error lines to stderr. Rejects with a ConfigError
 * for bad options, a data dir that is not writable, or a port in use.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  // A test suite's output is no place for a cluster's lifecycle lines; its problems are.
  const node = await KstreamNode.start({ ...START_DEFAULTS, ...options, logger: options.logger ?? atLevel(stderrLogger, 'warn') });
  const { port1, port2 } = new MessageChannel();
  const control: NodeControl = {
    describe: () => node.describe(),
    crashBroker: (id) => node.crashBroker(id),
    restartBroker: (id) => node.restartBroker(id),
    stopBroker: (id) => node.stopBroker(id),
    startBroker: (id) => node.startBroker(id),
    pauseBroker: (id) => node.pauseBroker(id),
    resumeBroker: (id) => node.resumeBroker(id),
    cutLink: (a, b) => node.cutLink(a, b),
    healLink: (a, b) => node.healLink(a, b),
    cutController: async (id) => node.cutController(id),
    healController: async (id) => node.healController(id),
    healAll: () => node.healAll(),
    addBroker: () => node.addBroker(),
    pingLink: (from, to, timeoutMs) => node.pingLink(from, to, timeoutMs),
    groupLag: (groupId) => node.groupLag(groupId),
    injectErrors: (options) => node.faults.injectErrors(options),
    delayResponses: (options) => node.faults.delayResponses(options),
    dropConnections: (options) => node.faults.dropConnections(options),
    listFaults: () => node.faults.list(),
    clearFaults: () => node.faults.clear(),
    moveLeader: (topic, partition, toBroker) => node.moveLeader(topic, partition, toBroker),
    heapUsage: (options) => node.heapUsage(options),
  };
  Comlink.expose(control, nodeEndpoint(port1));
  const remote = Comlink.wrap<NodeControl>(nodeEndpoint(port2));
  const brokers = node.listeners;
  let stopping: Promise<void> | null = null;
  return {
    bootstrap: brokers.map((b) => `${b.host}:${b.port}`).join(','),
    brokers,
    metricsUrl: node.metricsUrl,
    control: remote,
    faults: {
      injectErrors: async (options) => node.faults.injectErrors(options),
      delayResponses: async (options) => node.faults.delayResponses(options),
      dropConnections: async (options) => node.faults.dropConnections(options),
      list: () => node.faults.list(),
      clear: () => node.faults.clear(),
    },
    moveLeader: (topic, partition, toBroker) => node.moveLeader(topic, partition, toBroker),
    stop() {
      stopping ??= (async () => {
        remote[Comlink.releaseProxy]();
        port1.close();
        await node.stop();
      })();
      return stopping;
    },
  };
}
