// @kstream/transaction-coordinator: transactional ids, their state in
// __transaction_state, and the commit and abort markers that end a transaction.
export { TransactionCoordinator } from './transaction-coordinator.js';
export type { TransactionCoordinatorOptions } from './transaction-coordinator.js';
export type {
  CoordinatorTimers,
  ProducerIdSource,
  TopicPartitionRef,
  TransactionCoordinatorConfig,
  TransactionLog,
  TxnMarkerEntry,
  TxnMarkerResult,
  TxnMarkerWriter,
  VerifyTxnPartitionsRequest,
} from './coordinator-types.js';
export * from './records/index.js';
