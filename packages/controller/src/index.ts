export { Controller, DEFAULT_SESSION_TIMEOUT_MS } from './controller.js';
export type { ControllerDescription, ControllerOptions } from './controller.js';
export type * from './messages.js';
export { MetadataLog } from './metadata-log.js';
export { MetadataState } from './metadata-state.js';
export type { BrokerRegistration } from './metadata-state.js';
export type * from './metadata-records.js';
export { parseMetadataRecord } from './metadata-records.js';
