export { Controller, DEFAULT_SESSION_TIMEOUT_MS } from './controller.js';
export type { ControllerDescription, ControllerOptions } from './controller.js';
export type { BrokerControllerChannel, ControllerBrokerChannel } from './controller-channel.js';
export { MetadataLog } from './metadata-log.js';
