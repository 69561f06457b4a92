// The broker worker thread's entry. The node starts one per broker with
// spawnWorker(brokerWorkerUrl, { workerData: BrokerWorkerData, transferList:
// [controllerPort] }); parentPort is the channel to the node, which also
// hands over the channels to the other brokers (PeerChannel).
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { Mailbox, unknownMessage } from '@kstream/actor';
import type { ControllerToBroker } from '@kstream/metadata';
import { Broker } from './broker.js';
import { faultsOf } from './faults/broker-faults.js';
import { faultCounters as newFaultCounters } from './faults/request-fault.js';
import { coordinatedGroupLag, ledEndOffsets } from './groups/group-lag-query.js';
import type { BrokerConfig } from './broker.js';
import { heapUsage } from './metrics/heap-usage.js';
import type { BrokerReplies, BrokerRequest, ControllerChannel, NodeChannel } from './messages.js';
import { nodeLogger } from './node-logger.js';
import { PauseGate } from './pause-gate.js';
import { PeerLinks } from './peers/peer-links.js';

export interface BrokerWorkerData {
  readonly config: BrokerConfig;
  /** This broker's end of its channel to the controller actor. */
  readonly controllerPort: MessagePort;
  /** The PauseGate's memory, shared with the node: how it pauses this thread. */
  readonly pauseState: SharedArrayBuffer;
  /** The node's fault counters (faultCounters), shared: the remaining counts of the faults injected into requests. */
  readonly faultCounters?: SharedArrayBuffer;
  /**
   * The broker starts (opens its logs, listens, registers) when the node
   * tells Begin, not at once: the node starts its workers while the
   * controller reads its metadata log, so that their code loads meanwhile.
   */
  readonly awaitBegin?: boolean;
}

if (parentPort === null) throw new Error('broker-worker must run in a worker thread');
const { config, controllerPort, pauseState, faultCounters: sharedFaultCounters, awaitBegin = false } = workerData as BrokerWorkerData;
const faultCounters = sharedFaultCounters ?? newFaultCounters();
const pauseGate = new PauseGate(pauseState);
const logger = nodeLogger(config.brokerId, () => node);

const controller: ControllerChannel = new Mailbox(controllerPort, {
  name: 'controller',
  logger,
  handle: (msg: ControllerToBroker) => broker.handleControllerMessage(msg),
});
const node: NodeChannel = new Mailbox(parentPort, {
  name: 'node',
  logger,
  handle: (msg: BrokerRequest) => handle(msg),
});
const peers = new PeerLinks(config.brokerId, logger);
const broker = new Broker(config, { controller, node, peers }, logger);

async function handle(msg: BrokerRequest): Promise<BrokerReplies[BrokerRequest['type']]> {
  switch (msg.type) {
    case 'Begin':
      begin();
      return;
    case 'Shutdown':
      // The node ends the thread once this is answered: its supervisor must
      // know the exit was asked for before it happens, or it would restart
      // the broker.
      await broker.shutdown();
      peers.close();
      controller.close();
      return;
    case 'PeerChannel':
      peers.attach(msg.peerId, msg.port);
      return;
    case 'CutPeerLink':
      peers.setCut(msg.peerId, msg.cut);
      return;
    case 'PingPeer':
      return peers.ping(msg.peerId, msg.timeoutMs);
    case 'Pause':
      pauseGate.holdWhileRequested();
      return;
    case 'GroupLag':
      return coordinatedGroupLag(broker.services, msg.groupId, msg.endOffsets) ?? null;
    case 'SetRequestFaults':
      faultsOf(config.brokerId).set(msg.faults, faultCounters);
      return;
    case 'EndOffsets':
      return ledEndOffsets(broker.services.partitions, msg.partitions);
    case 'Metrics':
      return broker.metrics.snapshot();
    case 'HeapUsage':
      return heapUsage(msg.collectGarbage);
    default:
      return unknownMessage(msg);
  }
}

let begun = false;

/** Starts the broker, once; the node hears when it listens and is registered. */
function begin(): void {
  if (begun) return;
  begun = true;
  // No top-level await: from source this module runs as part of a CommonJS bundle (sourceBundle).
  void broker.start().then(({ port, brokerEpoch }) => node.tell({ type: 'BrokerStarted', brokerId: config.brokerId, port, brokerEpoch }));
}

if (!awaitBegin) begin();
