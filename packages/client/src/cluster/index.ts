// The cluster as the client sees it: bootstrap, metadata, broker connections, coordinators.
export * from './cluster-client.js';
export * from './cluster-metadata.js';
export type { CoordinatorKeyType } from './coordinator-lookup.js';
