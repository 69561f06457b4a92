export { encodeTransactionLogBatch, decodeTransactionLogRead } from './transaction-log-batch.js';
export type { DecodedTransactionLogRead, TransactionLogRecordAt } from './transaction-log-batch.js';
export { decodeTransactionLogRecord, encodeTransactionLogRecord } from './transaction-log-codec.js';
export { loadTransactionLogPartition, type TransactionLogReader } from './transaction-log-load.js';
export { TransactionLogLoadError } from './transaction-log-load-error.js';
export type { TransactionLogRecord, TransactionLogValue } from './transaction-log-record.js';
export { TransactionState, transactionStateFromName, transactionStateName } from './transaction-state.js';
