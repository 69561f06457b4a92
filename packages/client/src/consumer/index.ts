// The consumer: manual assignment or group membership, and its records.
export { Consumer, type CommitOffset, type RunHandlers } from './consumer.js';
export type { ConsumerOptions, IsolationLevel } from './consumer-options.js';
export type { ConsumerBatch, ConsumerRecord, ConsumerRecordHeader } from './consumer-record.js';
export { NoOffsetForPartitionError, OffsetOutOfRangeError } from './offset-reset-error.js';
export type { OffsetResetStrategy } from './subscription-state.js';
export type { Assignor, MemberSubscription, TopicPartition } from './assignors/assignor.js';
export type { RebalanceListener } from './group/rebalance-listener.js';
export { ASSIGNOR_NAMES, type AssignorName } from './assignors/assignors.js';
export { CooperativeStickyAssignor } from './assignors/cooperative-sticky-assignor.js';
export { RangeAssignor } from './assignors/range-assignor.js';
export { RoundRobinAssignor } from './assignors/round-robin-assignor.js';
