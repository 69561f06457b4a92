import { BATCH_HEADER_SIZE, readBatchHeader, type RecordBatchHeader } from '@kstream/protocol';
import type { StorageFile } from './storage-file.js';
import type { CleanerThrottle } from './log-cleaner-throttle.js';

/** A stored batch as the cleaner reads it: its header and its bytes (a view valid until the next batch is asked for). */
export interface StoredBatch {
  header: RecordBatchHeader;
  bytes: Buffer;
}

const CHUNK = 1024 * 1024;

/**
 * The batches of a segment file from position 0 up to `size` bytes, read
 * sequentially in large chunks (a batch larger than a chunk is read whole),
 * every read counted by the throttle. The log checked them when written and
 * recovered: one that does not parse here stops the clean with an error
 * naming the file and position.
 */
export async function* storedBatches(file: StorageFile, size: number, throttle: CleanerThrottle): AsyncGenerator<StoredBatch> {
  let buffer = Buffer.allocUnsafe(0);
  let start = 0;
  let end = 0;
  const ensure = async (position: number, bytes: number): Promise<void> => {
    if (position + bytes <= end) return;
    const want = Math.min(Math.max(CHUNK, bytes), size - position);
    if (want < bytes) throw new Error(`${file.path}: batch at position ${position} needs ${bytes} bytes, the segment has ${size - position}`);
    if (buffer.length < want) buffer = Buffer.allocUnsafe(want);
    const read = await file.read(buffer, position, want);
    await throttle.maybeThrottle(read);
    if (read < bytes) throw new Error(`${file.path}: short read at position ${position}`);
    start = position;
    end = position + read;
  };
  let position = 0;
  while (position < size) {
    await ensure(position, BATCH_HEADER_SIZE);
    let header = readBatchHeader(buffer, position - start)!;
    if (header.sizeInBytes < BATCH_HEADER_SIZE) throw new Error(`${file.path}: bad batch length ${header.sizeInBytes} at position ${position}`);
    if (position + header.sizeInBytes > end) {
      await ensure(position, header.sizeInBytes);
      header = readBatchHeader(buffer, 0)!;
    }
    const at = position - start;
    yield { header, bytes: buffer.subarray(at, at + header.sizeInBytes) };
    position += header.sizeInBytes;
  }
}
