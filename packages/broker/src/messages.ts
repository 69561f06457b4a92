// The messages between a broker worker and its node (the main thread), over
// the worker's parentPort. The broker's messages to the controller are the
// controller's own (@kstream/metadata's messages.ts).
import type { Mailbox } from '@kstream/actor';
import type { ControllerChannelReplies, ControllerRequest, ControllerToBroker } from '@kstream/metadata';
import type { PoolTaskName, PoolTaskOutput, PoolTaskRequest } from './pool-tasks.js';

/** The node asks a broker to stop: close its listener and connections, stop heartbeating, then exit. */
export interface ShutdownRequest {
  readonly type: 'Shutdown';
}

export type BrokerRequest = ShutdownRequest;

export interface BrokerReplies {
  Shutdown: void;
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
