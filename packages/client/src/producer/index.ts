// The producer: batching per partition, acks, compression, backpressure, idempotence.
export { Producer } from './producer.js';
export type { ProducerOptions } from './producer-options.js';
export type { Acks, CompressionName, ProducerRecord, RecordMetadata } from './producer-record.js';
