// What the raw-socket tests need from @kstream/protocol beyond its index:
// the error-code table and RecordBatch encode/decode live in src/errors and
// src/records, which the package's index does not re-export yet.
export { ErrorCode, errorInfo } from '../../../packages/protocol/src/errors/error-codes.js';
export { encodeRecordBatch } from '../../../packages/protocol/src/records/record-batch.js';
export { decodeRecordBatches, recordBatchesIn } from '../../../packages/protocol/src/records/record-batches.js';
