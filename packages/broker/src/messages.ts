// The messages between a broker worker and its node (the main thread), over
// the worker's parentPort. The broker's messages to the controller are the
// controller's own (@kstream/metadata's messages.ts).
import type { MessagePort } from 'node:worker_threads';
import type { Mailbox } from '@kstream/actor';
import type { GroupLag } from '@kstream/group-coordinator';
import type { ControllerChannelReplies, ControllerRequest, ControllerToBroker } from '@kstream/metadata';
import type { RequestFault } from './faults/request-fault.js';
import type { PartitionEndOffset } from './groups/group-lag-query.js';
import type { BrokerMetricsSnapshot } from './metrics/broker-metrics.js';
import type { HeapUsage } from './metrics/heap-usage.js';
import type { PoolTaskName, PoolTaskOutput, PoolTaskRequest } from './pool-tasks.js';

/**
 * The node tells a broker whose worker started with `awaitBegin` to start:
 * its directory is formatted and its channel to the controller attached.
 */
export interface BeginNotice {
  readonly type: 'Begin';
}

/** The node asks a broker to stop: close its listener and connections, stop heartbeating, then exit. */
export interface ShutdownRequest {
  readonly type: 'Shutdown';
}

/**
 * The node hands the broker its end of a fresh channel to broker `peerId`
 * (the port transferred): at the broker's start for every running peer, and
 * whenever the peer's worker starts again. It replaces any channel before it.
 */
export interface PeerChannelNotice {
  readonly type: 'PeerChannel';
  readonly peerId: number;
  readonly port: MessagePort;
}

/** Fault injection: cut (or heal) this broker's link to broker `peerId`, both ways, until told otherwise. */
export interface CutPeerLinkRequest {
  readonly type: 'CutPeerLink';
  readonly peerId: number;
  readonly cut: boolean;
}

/** A round trip to broker `peerId` over their channel; answered with the milliseconds it took. */
export interface PingPeerRequest {
  readonly type: 'PingPeer';
  readonly peerId: number;
  readonly timeoutMs: number;
}

/**
 * Fault injection: the broker's thread stops (Atomics.wait on `pauseState`,
 * the SharedArrayBuffer of its BrokerWorkerData) until the node resumes it,
 * as in a long GC pause or on a hung disk. Told, not asked: a paused broker
 * answers nothing; `pauseState` tells the node the pause took effect.
 */
export interface PauseNotice {
  readonly type: 'Pause';
}

/**
 * The control API's groupLag, asked of the broker that coordinates the
 * group: its committed offsets and lag (null when this broker has no such
 * group). `endOffsets` are those the node got from the leaders of partitions
 * this broker does not lead.
 */
export interface GroupLagRequest {
  readonly type: 'GroupLag';
  readonly groupId: string;
  readonly endOffsets: readonly PartitionEndOffset[];
}

/** The end offsets (high watermarks) of those of `partitions` this broker leads. */
export interface EndOffsetsRequest {
  readonly type: 'EndOffsets';
  readonly partitions: readonly { readonly topic: string; readonly partition: number }[];
}

/** A scrape of the node's /metrics: the broker's Prometheus metrics, as prom-client's JSON. */
export interface MetricsRequest {
  readonly type: 'Metrics';
}

/** The broker thread's V8 heap (the control API's heapUsage), after a full collection when `collectGarbage` and gc() is exposed. */
export interface HeapUsageRequest {
  readonly type: 'HeapUsage';
  readonly collectGarbage: boolean;
}

/** The faults this broker's requests meet from now on, in injection order: the whole list, replacing the one before (empty: none). */
export interface SetRequestFaultsRequest {
  readonly type: 'SetRequestFaults';
  readonly faults: readonly RequestFault[];
}

export type BrokerRequest =
  | BeginNotice
  | SetRequestFaultsRequest
  | ShutdownRequest
  | PeerChannelNotice
  | CutPeerLinkRequest
  | PingPeerRequest
  | PauseNotice
  | GroupLagRequest
  | EndOffsetsRequest
  | MetricsRequest
  | HeapUsageRequest;

export interface BrokerReplies {
  Begin: void;
  SetRequestFaults: void;
  Shutdown: void;
  PeerChannel: void;
  CutPeerLink: void;
  PingPeer: number;
  Pause: void;
  GroupLag: GroupLag | null;
  EndOffsets: PartitionEndOffset[];
  Metrics: BrokerMetricsSnapshot;
  HeapUsage: HeapUsage;
}

/** Told once per start: the broker listens and is registered with the controller. */
export interface BrokerStartedNotice {
  readonly type: 'BrokerStarted';
  readonly brokerId: number;
  readonly port: number;
  readonly brokerEpoch: number;
}

/** A broker asks the node to run a task on its piscina pool. */
export interface RunPoolTaskRequest extends PoolTaskRequest {
  readonly type: 'RunPoolTask';
}

/** One entry of the broker's log, for the node's logger: a broker thread has no logger of its own. */
export interface LogNotice {
  readonly type: 'Log';
  readonly level: 'info' | 'warn' | 'error';
  readonly msg: string;
  /** Plain data (plainLogFields): Errors and bigints do not cross the thread boundary as they are. */
  readonly fields?: object;
}

export type NodeRequest = BrokerStartedNotice | RunPoolTaskRequest | LogNotice;

export interface NodeReplies {
  BrokerStarted: void;
  RunPoolTask: PoolTaskOutput<PoolTaskName>;
  Log: void;
}

/** The broker's side of its channel to the node. */
export type NodeChannel = Mailbox<BrokerRequest, NodeRequest, NodeReplies>;

/** The broker's side of its channel to the controller: it asks ControllerRequests and handles MetadataUpdates. */
export type ControllerChannel = Mailbox<ControllerToBroker, ControllerRequest, ControllerChannelReplies>;
