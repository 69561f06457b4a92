// The public surface of @kstream/client: Producer, Consumer and Admin over
// the Kafka wire protocol. The kafkajs-compatible entry is
// `@kstream/client/kafkajs` (src/kafkajs/index.ts).
export * from './errors/index.js';
export * from './options/index.js';
export * from './connection/index.js';
export * from './cluster/index.js';
export * from './serde/index.js';
export * from './producer/index.js';
export * from './consumer/index.js';
export * from './admin/index.js';
