// The messages between a broker worker and its node (the main thread), over
// the worker's parentPort. The broker's messages to the controller are the
// controller's own (@kstream/controller's messages.ts).
import type { Mailbox } from '@kstream/actor';
import type { BrokerControllerChannel } from '@kstream/controller';
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

export type NodeRequest = BrokerStartedNotice | RunPoolTaskRequest;

export interface NodeReplies {
  BrokerStarted: void;
  RunPoolTask: PoolTaskOutput<PoolTaskName>;
}

/** The broker's side of its channel to the node. */
export type NodeChannel = Mailbox<BrokerRequest, NodeRequest, NodeReplies>;

/** The broker's side of its channel to the controller: it asks ControllerRequests and handles MetadataUpdates. */
export type ControllerChannel = BrokerControllerChannel;
