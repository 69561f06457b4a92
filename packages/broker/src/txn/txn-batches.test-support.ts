// Record batches of idempotent and transactional producers for the broker's
// exactly-once tests, stamped now — as the log stamps its markers — so that
// segment.ms never rolls a segment between a transaction and its marker.
import { encodeRecordBatch, readBatchHeader } from '@kstream/protocol';

export interface ProducerBatchSpec {
  readonly producerId: bigint;
  readonly producerEpoch?: number;
  readonly baseSequence: number;
  readonly transactional?: boolean;
}

/** A batch of `values` from the producer, at epoch 0 unless the spec says otherwise. */
export function producerBatch(values: readonly string[], spec: ProducerBatchSpec): Promise<Buffer> {
  const now = Date.now();
  return encodeRecordBatch({
    producerId: spec.producerId,
    producerEpoch: spec.producerEpoch ?? 0,
    baseSequence: spec.baseSequence,
    isTransactional: spec.transactional ?? false,
    records: values.map((value, i) => ({ key: null, value: Buffer.from(value), timestamp: now + i })),
  });
}

/** The base offsets of the batches in `records`, markers included. */
export function batchBaseOffsets(records: Uint8Array): bigint[] {
  const buffer = Buffer.from(records.buffer, records.byteOffset, records.byteLength);
  const offsets: bigint[] = [];
  for (let position = 0; position < buffer.length; ) {
    const header = readBatchHeader(buffer, position);
    if (header === undefined) break;
    offsets.push(header.baseOffset);
    position += header.sizeInBytes;
  }
  return offsets;
}
