import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

// From source this module is .ts and so are its siblings; from dist, .js.
const moduleExtension = extname(fileURLToPath(import.meta.url));

/** The broker worker thread's entry, for spawnWorker. */
export const brokerWorkerUrl = new URL(`./broker-worker${moduleExtension}`, import.meta.url);

/** The piscina worker entry that runs pool tasks. */
export const poolTaskWorkerUrl = new URL(`./pool-task-worker${moduleExtension}`, import.meta.url);

export { Broker } from './broker.js';
export type { BrokerConfig } from './broker.js';
export type { BrokerWorkerData } from './broker-worker.js';
export { BrokerListener } from './broker-listener.js';
export type { BrokerListenerOptions, ConnectionHandler } from './broker-listener.js';
export { ClientConnection } from './network/client-connection.js';
export type { ClientConnectionOptions } from './network/client-connection.js';
export { encodeResponseFrame } from './network/response-frame.js';
export { NO_RESPONSE } from './handlers/handler.js';
export type { ApiHandler, BrokerServices, RequestContext } from './handlers/handler.js';
export { brokerHandlers, handledVersions, HandlerRegistry } from './handlers/registry.js';
export type { AdvertisedApi, AnyApiHandler } from './handlers/registry.js';
export type { ReplicaManager } from './partitions/replica-manager.js';
export { BrokerMetadata, MetadataWaitTimeoutError } from './metadata/broker-metadata.js';
export type { MetadataChange, MetadataListener } from './metadata/broker-metadata.js';
export { formatLogDir, readMetaProperties, InconsistentMetaPropertiesError } from './meta-properties.js';
export type { MetaProperties } from './meta-properties.js';
export { poolTasks, runPoolTask, isPoolTaskName, submitPoolTask } from './pool-tasks.js';
export type { PoolTaskName, PoolTaskInput, PoolTaskOutput, PoolTaskRequest } from './pool-tasks.js';
export { PauseGate } from './pause-gate.js';
export { NoPeerChannelError, PeerLinks } from './peers/peer-links.js';
export type { PeerAskOptions, PeerChangeListener, PeerRequestHandler } from './peers/peer-links.js';
export type * from './messages.js';
export type { PartitionEndOffset } from './groups/group-lag-query.js';
export { FAULT_SLOTS, faultCounters, faultRemaining, UNLIMITED } from './faults/request-fault.js';
export type { RequestFault, RequestFaultAction } from './faults/request-fault.js';
export { errorFaultRefusal } from './faults/request-faults.js';
export { BrokerMetrics } from './metrics/broker-metrics.js';
export type { BrokerMetricsSnapshot } from './metrics/broker-metrics.js';
