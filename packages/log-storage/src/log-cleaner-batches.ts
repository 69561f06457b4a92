import { BATCH_HEADER_SIZE, readBatchHeader, type RecordBatchHeader } from '@kstream/protocol';
import type { StorageFile } from './log-dir-io.js';
import type { CleanerThrottle } from './log-cleaner-throttle.js';

/** A stored batch as the cleaner reads it: its header and its bytes (a view valid until the next batch is asked for). */
export interface StoredBatch {
  header: RecordBatchHeader;
  bytes: Buffer;
}

const CHUNK = 1024 * 1024;

/**
 * The batches of a segment file from position 0 up to `size` bytes, read
 * sequentially in large chunks, the next chunk read while the batches of
 * this one are handled (a batch larger than a chunk is read whole), every
 * read counted by the throttle. The log checked them when written and
 * recovered: one that does not parse here stops the clean with an error
 * naming the file and position.
 */
export async function* storedBatches(file: StorageFile, size: number, throttle: CleanerThrottle): AsyncGenerator<StoredBatch> {
  const readChunk = async (from: number): Promise<Buffer> => {
    const length = Math.min(CHUNK, size - from);
    const chunk = Buffer.allocUnsafe(length);
    const read = await file.read(chunk, from, length);
    await throttle.maybeThrottle(read);
    return chunk.subarray(0, read);
  };
  let buffer: Buffer = Buffer.alloc(0);
  let start = 0;
  let ahead: Promise<Buffer> | undefined;
  /** Makes [position, position + bytes) available in `buffer`, keeping what it holds of it. */
  const ensure = async (position: number, bytes: number): Promise<void> => {
    if (position + bytes > size) throw new Error(`${file.path}: batch at position ${position} needs ${bytes} bytes, the segment has ${size - position}`);
    const parts = [buffer.subarray(position - start)];
    let end = start + buffer.length;
    while (end < position + bytes) {
      const next = await (ahead ?? readChunk(end));
      ahead = undefined;
      if (next.length === 0) throw new Error(`${file.path}: short read at position ${end}`);
      parts.push(next);
      end += next.length;
    }
    buffer = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    start = position;
    if (end < size) ahead = readChunk(end);
  };
  try {
    let position = 0;
    while (position < size) {
      if (position + BATCH_HEADER_SIZE > start + buffer.length) await ensure(position, BATCH_HEADER_SIZE);
      let header = readBatchHeader(buffer, position - start)!;
      if (header.sizeInBytes < BATCH_HEADER_SIZE) throw new Error(`${file.path}: bad batch length ${header.sizeInBytes} at position ${position}`);
      if (position + header.sizeInBytes > start + buffer.length) {
        await ensure(position, header.sizeInBytes);
        header = readBatchHeader(buffer, 0)!;
      }
      const at = position - start;
      yield { header, bytes: buffer.subarray(at, at + header.sizeInBytes) };
      position += header.sizeInBytes;
    }
  } finally {
    // A walk stopped early (the offset map full) must not leave a read in flight on a file about to be closed.
    await ahead?.catch(() => {});
  }
}
