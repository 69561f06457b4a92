import { varintSize, type RecordHeader } from '@kstream/protocol';

/**
 * Bytes a record takes in a RecordBatch, worked out once at send(): what
 * batch.size, buffer.memory and max.request.size are counted in. Exact but for
 * the timestamp and offset deltas, counted at 3 bytes each (deltas below
 * ~17 minutes and ~1M records), so a batch may end a few bytes off batch.size.
 */
export function recordSize(key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[] | undefined): number {
  // attributes (1), timestamp and offset deltas (3 + 3), header count (1, corrected below when there are headers)
  let body = 8 + (key === null ? 1 : varintSize(key.length) + key.length) + (value === null ? 1 : varintSize(value.length) + value.length);
  if (headers !== undefined) {
    body += varintSize(headers.length) - 1;
    for (const header of headers) {
      const keySize = Buffer.byteLength(header.key, 'utf8');
      body += varintSize(keySize) + keySize + (header.value === null ? 1 : varintSize(header.value.length) + header.value.length);
    }
  }
  return varintSize(body) + body;
}
