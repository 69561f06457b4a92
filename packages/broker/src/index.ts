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
export { formatLogDir, readMetaProperties, InconsistentMetaPropertiesError } from './meta-properties.js';
export type { MetaProperties } from './meta-properties.js';
export { poolTasks, runPoolTask, isPoolTaskName, submitPoolTask } from './pool-tasks.js';
export type { PoolTaskName, PoolTaskInput, PoolTaskOutput, PoolTaskRequest } from './pool-tasks.js';
export type * from './messages.js';
