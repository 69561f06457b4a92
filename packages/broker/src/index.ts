import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

// From source this module is .ts and so are its siblings; from dist, .js.
const fromSource = extname(fileURLToPath(import.meta.url)) === '.ts';

/**
 * A worker thread's entry module: from source the .ts module (spawnWorker
 * bundles it); compiled, the bundle the build made of it
 * (tools/bundle-compiled.mjs), or the module itself where only tsc ran.
 */
function workerEntry(name: string): URL {
  if (fromSource) return new URL(`./${name}.ts`, import.meta.url);
  const bundle = new URL(`./${name}.bundle.cjs`, import.meta.url);
  return existsSync(bundle) ? bundle : new URL(`./${name}.js`, import.meta.url);
}

/** The broker worker thread's entry, for spawnWorker. */
export const brokerWorkerUrl = workerEntry('broker-worker');
export { BROKER_RESOURCE_LIMITS } from './broker-resource-limits.js';

/** The piscina worker entry that runs pool tasks. */
export const poolTaskWorkerUrl = workerEntry('pool-task-worker');

export { Broker } from './broker.js';
export { processOpenFileLimit } from './partitions/log-open-files.js';
export { AggregatorRegistry, Counter, Gauge, Histogram, Registry } from './metrics/prom-client.js';
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
export { heapUsage } from './metrics/heap-usage.js';
export type { HeapUsage } from './metrics/heap-usage.js';
