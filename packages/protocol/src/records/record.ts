import type { RecordReader } from './record-reader.js';
import { varintSize, varlongSize, writeVarint, writeVarlong } from './record-varint.js';

// One record inside a RecordBatch v2 (Kafka's DefaultRecord):
//
//   length varint (bytes after it), attributes int8 (unused, 0),
//   timestampDelta varlong, offsetDelta varint,
//   keyLength varint (-1 = null), key, valueLength varint (-1 = null), value,
//   headerCount varint, then per header:
//     keyLength varint, key (UTF-8, never null), valueLength varint (-1 = null), value

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A record to encode. Its timestamp is either absolute or a delta from the batch's base timestamp. */
export interface RecordInput {
  /** Offset relative to the batch's base offset; defaults to the record's index in the batch. */
  offsetDelta?: number;
  /** Milliseconds since the epoch. */
  timestamp?: number | bigint;
  /** Milliseconds relative to the batch's base timestamp; used when `timestamp` is absent. */
  timestampDelta?: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: readonly RecordHeader[];
}

/** A decoded record. Key, value and header values are views of the batch's (decompressed) bytes. */
export interface DecodedRecord {
  attributes: number;
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** The smallest record: a one-byte length, attributes, and five one-byte varints (zero deltas, null key and value, no headers). */
export const MIN_RECORD_SIZE = 7;

const NO_HEADERS: readonly RecordHeader[] = [];

/**
 * The sizes of a run of records, worked out once before anything is written
 * so the batch can be allocated at its final size.
 */
export interface RecordsLayout {
  /** Total bytes of the records section (uncompressed). */
  size: number;
  /** Per record: the body size (what its length varint says). */
  bodySizes: Int32Array;
  /** Per record: the timestamp delta. */
  timestampDeltas: Float64Array;
  /** UTF-8 byte length of every header key, in writing order. */
  headerKeySizes: number[];
  maxTimestampDelta: number;
}

function checkOffsetDelta(offsetDelta: number, index: number): number {
  if ((offsetDelta | 0) !== offsetDelta || offsetDelta < 0) {
    throw new RangeError(`record ${index}: offsetDelta ${offsetDelta} is not an int32 >= 0`);
  }
  return offsetDelta;
}

function timestampDeltaOf(record: RecordInput, baseTimestamp: number, index: number): number {
  const delta = record.timestamp !== undefined ? Number(record.timestamp) - baseTimestamp : (record.timestampDelta ?? 0);
  if (!Number.isSafeInteger(delta)) {
    throw new RangeError(`record ${index}: timestamp delta ${delta} is not an integer within ±2^53 ms`);
  }
  return delta;
}

/** Sizes `records` (first pass of encoding); throws RangeError for a delta out of range. */
export function layoutRecords(records: readonly RecordInput[], baseTimestamp: number): RecordsLayout {
  const count = records.length;
  const bodySizes = new Int32Array(count);
  const timestampDeltas = new Float64Array(count);
  const headerKeySizes: number[] = [];
  let size = 0;
  let maxTimestampDelta = -Infinity;
  for (let i = 0; i < count; i++) {
    const record = records[i]!;
    const timestampDelta = timestampDeltaOf(record, baseTimestamp, i);
    if (timestampDelta > maxTimestampDelta) maxTimestampDelta = timestampDelta;
    timestampDeltas[i] = timestampDelta;
    const offsetDelta = checkOffsetDelta(record.offsetDelta ?? i, i);
    const key = record.key;
    const value = record.value;
    const headers = record.headers ?? NO_HEADERS;
    let body =
      1 +
      varlongSize(timestampDelta) +
      varintSize(offsetDelta) +
      (key === null ? 1 : varintSize(key.length) + key.length) +
      (value === null ? 1 : varintSize(value.length) + value.length) +
      varintSize(headers.length);
    for (let h = 0; h < headers.length; h++) {
      const header = headers[h]!;
      const keySize = Buffer.byteLength(header.key, 'utf8');
      headerKeySizes.push(keySize);
      const headerValue = header.value;
      body += varintSize(keySize) + keySize + (headerValue === null ? 1 : varintSize(headerValue.length) + headerValue.length);
    }
    bodySizes[i] = body;
    size += varintSize(body) + body;
  }
  return { size, bodySizes, timestampDeltas, headerKeySizes, maxTimestampDelta };
}

/** Writes `records` at `position` as `layout` sized them (second pass); returns the position after them. */
export function writeRecords(buf: Buffer, position: number, records: readonly RecordInput[], layout: RecordsLayout): number {
  const { bodySizes, timestampDeltas, headerKeySizes } = layout;
  let p = position;
  let headerIndex = 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    p = writeVarint(buf, p, bodySizes[i]!);
    buf[p++] = 0;
    p = writeVarlong(buf, p, timestampDeltas[i]!);
    p = writeVarint(buf, p, record.offsetDelta ?? i);
    const key = record.key;
    if (key === null) {
      buf[p++] = 1; // zigzag(-1)
    } else {
      p = writeVarint(buf, p, key.length);
      buf.set(key, p);
      p += key.length;
    }
    const value = record.value;
    if (value === null) {
      buf[p++] = 1;
    } else {
      p = writeVarint(buf, p, value.length);
      buf.set(value, p);
      p += value.length;
    }
    const headers = record.headers ?? NO_HEADERS;
    p = writeVarint(buf, p, headers.length);
    for (let h = 0; h < headers.length; h++) {
      const header = headers[h]!;
      const keySize = headerKeySizes[headerIndex++]!;
      p = writeVarint(buf, p, keySize);
      p += buf.write(header.key, p, keySize, 'utf8');
      const headerValue = header.value;
      if (headerValue === null) {
        buf[p++] = 1;
      } else {
        p = writeVarint(buf, p, headerValue.length);
        buf.set(headerValue, p);
        p += headerValue.length;
      }
    }
  }
  return p;
}

/** The smallest header: a one-byte key length (empty key) and a one-byte null value. */
const MIN_HEADER_SIZE = 2;

/** Reads one record at the reader's position; its length prefix must match its fields exactly. */
export function readRecord(reader: RecordReader): DecodedRecord {
  const length = reader.varint('record length');
  if (length < MIN_RECORD_SIZE - 1) reader.fail('bad-record-length', `record length ${length} is below the smallest record`);
  if (length > reader.remaining) reader.fail('truncated', `record length ${length} exceeds the ${reader.remaining} bytes left`);
  const outerEnd = reader.end;
  const recordEnd = reader.position + length;
  reader.end = recordEnd;
  const attributes = reader.int8('attributes');
  const timestampDelta = reader.varlong('timestampDelta');
  const offsetDelta = reader.varint('offsetDelta');
  const key = reader.nullableBytes('key');
  const value = reader.nullableBytes('value');
  const headerCount = reader.varint('header count');
  if (headerCount < 0) reader.fail('negative-length', `header count ${headerCount}`);
  if (headerCount * MIN_HEADER_SIZE > reader.remaining) {
    reader.fail('truncated', `header count ${headerCount} exceeds what the ${reader.remaining} bytes left could hold`);
  }
  const headers: RecordHeader[] = new Array(headerCount);
  for (let h = 0; h < headerCount; h++) {
    const headerKey = reader.string('header key');
    headers[h] = { key: headerKey, value: reader.nullableBytes('header value') };
  }
  if (reader.position !== recordEnd) {
    reader.fail('bad-record-length', `record length ${length} but its fields take ${length - (recordEnd - reader.position)} bytes`);
  }
  reader.end = outerEnd;
  return { attributes, offsetDelta, timestampDelta, key, value, headers };
}
