// @kstream/replication: a partition as a replicated log — leader and follower
// state, ISR, high watermark, delayed produce (acks=all), replica fetchers
// over the broker-pair channels, truncation by leader epoch.
export { Partition, partitionKey } from './partition.js';
export type { ConsumerRead, FollowerFetchRead, NewDataListener, PartitionState, ReplicationContext } from './partition.js';
export { FollowerReplica, UNKNOWN_OFFSET } from './follower-replica.js';
export { AlterPartitionManager } from './alter-partition-manager.js';
export type { AlterPartitionManagerOptions, SendAlterPartition } from './alter-partition-manager.js';
export type { ProduceWaitOutcome } from './delayed-produce.js';
export { partitionConfigFrom } from './partition-config.js';
export type { PartitionConfig, TopicConfigValues } from './partition-config.js';
export { PartitionError, errorCodeOf, errorMessageOf } from './partition-errors.js';
export { DelayedFetch, DelayedFetchPurgatory, type WatchOptions } from './delayed-fetch.js';
export type * from './messages.js';
export { replicaLeaderServer } from './replica-leader-server.js';
export type { LeaderPartitions, ReplicaLeaderServerOptions, ReplicaRequestServer } from './replica-leader-server.js';
export { ReplicaFetcher } from './replica-fetcher.js';
export type { ReplicaFetcherOptions } from './replica-fetcher.js';
export { ReplicaFetcherManager } from './replica-fetcher-manager.js';
export { truncationOffset } from './follower-truncation.js';
export type { FollowerLogView, TruncationDecision } from './follower-truncation.js';
