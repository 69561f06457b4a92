// The producer: batching per partition, acks, compression, backpressure, idempotence, transactions.
export { Producer } from './producer.js';
export type { ProducerOptions } from './producer-options.js';
export type { Acks, CompressionName, ProducerRecord, RecordMetadata } from './producer-record.js';
export { Transaction, type SendOffsetsOptions } from './transaction.js';
export { KafkaProducerFencedError, KafkaTransactionAbortedError, KafkaTransactionStateError } from './transaction-errors.js';
export type { TransactionGroupMetadata, TransactionOffset } from './transaction-offsets.js';
