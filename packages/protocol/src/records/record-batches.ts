import { CorruptRecordBatchError } from './record-batch-error.js';
import { BATCH_HEADER_SIZE, BATCH_LENGTH_PREFIX, readBatchHeader, type RecordBatchHeader } from './record-batch-header.js';
import { decodeRecordBatch, type DecodedRecordBatch, type DecodeRecordBatchOptions } from './record-batch.js';

/** One batch found in a run of batches: where it is, its header, and its bytes (a view). */
export interface BatchSlice {
  position: number;
  header: RecordBatchHeader;
  bytes: Buffer;
}

/**
 * The batches in `buf` laid end to end, as a Fetch response's records field
 * or a log segment holds them, read header by header without decoding
 * records. A trailing partial batch is skipped, as Kafka's clients do: the
 * broker may cut the last batch at the fetch size. A length below the header
 * size throws CorruptRecordBatchError, since nothing after it can be found.
 */
export function* recordBatchesIn(buf: Buffer): Generator<BatchSlice> {
  let position = 0;
  for (;;) {
    const header = readBatchHeader(buf, position);
    if (header === undefined) return;
    if (header.sizeInBytes < BATCH_HEADER_SIZE) {
      throw new CorruptRecordBatchError(
        'bad-length',
        `batch at byte ${position}: batchLength ${header.sizeInBytes - BATCH_LENGTH_PREFIX} is below the header's`,
        header.baseOffset,
      );
    }
    const end = position + header.sizeInBytes;
    if (end > buf.length) return;
    yield { position, header, bytes: buf.subarray(position, end) };
    position = end;
  }
}

/** Decodes every whole batch in `buf` (see recordBatchesIn), in order. */
export async function decodeRecordBatches(buf: Buffer, options: DecodeRecordBatchOptions = {}): Promise<DecodedRecordBatch[]> {
  const batches: DecodedRecordBatch[] = [];
  for (const slice of recordBatchesIn(buf)) batches.push(await decodeRecordBatch(slice.bytes, options));
  return batches;
}
