export { murmur2, toPositive } from './murmur2.js';
export { keyBytes, partitionForKey, type RecordKey } from './partition-for-key.js';
export {
  partitionForRecord,
  type PartitionedRecord,
  type Partitioner,
  type TopicPartitions,
} from './partitioner.js';
export { DefaultPartitioner } from './partitioner-default.js';
export { StickyPartitioner } from './partitioner-sticky.js';
export { RoundRobinPartitioner } from './partitioner-round-robin.js';
export {
  assignAddedPartitions,
  assignReplicas,
  type AssignAddedPartitionsOptions,
  type AssignReplicasOptions,
} from './replica-assignment.js';
export { InvalidPartitionsError, InvalidReplicationFactorError, PartitionOutOfRangeError } from './errors.js';
