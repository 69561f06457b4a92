// @kstream/group-coordinator: consumer groups under Kafka's classic protocol
// and their committed offsets, every change a record in __consumer_offsets.
export * from './records/index.js';
export * from './group/index.js';
