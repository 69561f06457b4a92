// The cluster as the client sees it: bootstrap, metadata, broker connections, coordinators.
export { ClusterClient } from './cluster-client.js';
export type { BrokerInfo, ClusterMetadata, PartitionMetadata, TopicMetadata } from './cluster-metadata.js';
export type { CoordinatorKeyType } from './coordinator-lookup.js';
