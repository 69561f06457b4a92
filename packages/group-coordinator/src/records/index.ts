// Kafka's own __consumer_offsets formats: the records, their batches, and
// loading a partition's state from them.
export type {
  CoordinatorRecord,
  GroupMetadataValue,
  MemberMetadataValue,
  OffsetAndMetadata,
  OffsetAndMetadataAt,
  OffsetCommitKey,
} from './coordinator-record.js';
export { decodeCoordinatorRecord, encodeCoordinatorRecord, type EncodedCoordinatorRecord } from './coordinator-record-codec.js';
export {
  decodeCoordinatorRead,
  encodeCoordinatorBatch,
  type CoordinatorBatchProducer,
  type CoordinatorRecordAt,
  type DecodedCoordinatorRead,
  type TxnMarkerAt,
} from './coordinator-batch.js';
export { CoordinatorLoadError } from './coordinator-load-error.js';
export {
  loadCoordinatorPartition,
  type CoordinatorLogReader,
  type LoadedCoordinatorState,
  type OffsetsByGroup,
} from './coordinator-load.js';
