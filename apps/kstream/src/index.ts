export { startCluster } from './start-cluster.js';
export type { Cluster, ClusterOptions } from './start-cluster.js';
export type { BrokerDescription, NodeControl, NodeDescription, NodeHeapUsage } from './node-control.js';
export type { HeapUsage } from '@kstream/broker';
export type { BrokerCrash, BrokerThreadState } from './broker-thread.js';
export type { AddedBroker } from './kstream-node.js';
export type { ClusterFaults, DelayResponsesOptions, DropConnectionsOptions, FaultDescription, FaultScope, InjectErrorsOptions } from './faults/fault-options.js';
export { ConfigError } from './config-error.js';
export type { StartOptions } from './start-options.js';
