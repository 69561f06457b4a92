// Turns one partition's `records` bytes from a Fetch response into the
// records the application sees. Per batch: CRC and magic checked, the
// records section decompressed (off the event loop, by protocol's codecs),
// control batches skipped, aborted transactions dropped under read_committed.
// Per record only the varints are walked (see FetchedRecord): no key, value
// or header is copied or decoded here.
import {
  ATTRIBUTE_CONTROL,
  ATTRIBUTE_TIMESTAMP_TYPE,
  ATTRIBUTE_TRANSACTIONAL,
  BATCH_OFFSETS,
  ControlRecordType,
  CorruptRecordBatchError,
  CURRENT_MAGIC,
  crc32c,
  decodeRecordBatch,
  lastOffsetOf,
  MIN_RECORD_SIZE,
  recordsSection,
  readControlRecordKey,
  RecordReader,
  recordBatchesIn,
  type BatchSlice,
} from '@kstream/protocol';
import type { AbortedTransactions } from './aborted-transactions.js';
import { FetchedRecord, FetchedRecordBatch, type RecordSource } from './consumer-record.js';

export interface DecodedFetch<K, V> {
  records: FetchedRecord<K, V>[];
  /** The offset after the last whole batch read (past skipped control and aborted batches too); `fetchOffset` if none. */
  nextOffset: bigint;
  /** Partition leader epoch of the last batch read; -1 if none. */
  lastEpoch: number;
}

/**
 * Decodes the whole batches in `data` (a trailing partial batch is left for
 * the next fetch). Records below `fetchOffset` are skipped: a batch, above
 * all a compressed one, may start before the offset asked for.
 * `aborted` is null under read_uncommitted, or when the response lists no aborted transaction. Throws CorruptRecordBatchError.
 */
export async function decodeFetchedRecords<K, V>(data: Buffer, fetchOffset: bigint, source: RecordSource<K, V>, aborted: AbortedTransactions | null): Promise<DecodedFetch<K, V>> {
  const records: FetchedRecord<K, V>[] = [];
  let nextOffset = fetchOffset;
  let lastEpoch = -1;
  for (const slice of recordBatchesIn(data)) {
    const { header } = slice;
    const lastOffset = lastOffsetOf(header);
    if (lastOffset < fetchOffset) continue;
    checkBatch(slice);
    nextOffset = lastOffset + 1n;
    lastEpoch = header.partitionLeaderEpoch;
    if (await skipBatch(slice, aborted)) continue;
    const section = await recordsSection(slice.bytes, slice.header);
    const batch = new FetchedRecordBatch(source, section, header.baseOffset, header.partitionLeaderEpoch);
    const logAppendTime = (header.attributes & ATTRIBUTE_TIMESTAMP_TYPE) !== 0 ? Number(header.maxTimestamp) : -1;
    const skipBelowDelta = fetchOffset > header.baseOffset ? Number(fetchOffset - header.baseOffset) : 0;
    scanRecords(batch, header.recordCount, Number(header.baseTimestamp), logAppendTime, skipBelowDelta, records);
  }
  return { records, nextOffset, lastEpoch };
}

/** Magic 2 and a matching CRC32C (Kafka's check.crcs, on by default). */
function checkBatch({ header, bytes }: BatchSlice): void {
  if (header.magic !== CURRENT_MAGIC) {
    throw new CorruptRecordBatchError('bad-magic', `magic ${header.magic}, only RecordBatch v2 (magic 2) is supported`, header.baseOffset);
  }
  const computed = crc32c(bytes.subarray(BATCH_OFFSETS.attributes));
  if (computed !== header.crc) {
    throw new CorruptRecordBatchError('bad-crc', `stored CRC ${header.crc} but the bytes give ${computed}`, header.baseOffset);
  }
}

/** Control batches are never returned; under read_committed neither are aborted transactions' batches. */
async function skipBatch({ header, bytes }: BatchSlice, aborted: AbortedTransactions | null): Promise<boolean> {
  const isControl = (header.attributes & ATTRIBUTE_CONTROL) !== 0;
  if (aborted !== null && header.producerId >= 0n) {
    aborted.reach(lastOffsetOf(header));
    if (isControl) {
      if (await isAbortMarker(bytes)) aborted.markerSeen(header.producerId);
    } else if ((header.attributes & ATTRIBUTE_TRANSACTIONAL) !== 0 && aborted.isAborted(header.producerId)) {
      return true;
    }
  }
  return isControl;
}

async function isAbortMarker(bytes: Buffer): Promise<boolean> {
  const { records } = await decodeRecordBatch(bytes, { verifyCrc: false });
  return records.length > 0 && readControlRecordKey(records[0]!.key).type === ControlRecordType.Abort;
}

/** Walks `count` records' varints, appending those at or past `skipBelowDelta` to `out`; lengths are checked, nothing copied. */
function scanRecords<K, V>(batch: FetchedRecordBatch<K, V>, count: number, baseTimestamp: number, logAppendTime: number, skipBelowDelta: number, out: FetchedRecord<K, V>[]): void {
  const section = batch.section;
  const sectionEnd = section.length;
  const reader = new RecordReader(section, 0, sectionEnd, batch.baseOffset);
  for (let i = 0; i < count; i++) {
    reader.recordIndex = i;
    const length = reader.varint('record length');
    if (length < MIN_RECORD_SIZE - 1 || length > reader.remaining) reader.fail('bad-record-length', `record length ${length} with ${reader.remaining} bytes left`);
    const recordEnd = reader.position + length;
    reader.end = recordEnd;
    reader.position++; // attributes: unused by Kafka
    const timestampDelta = reader.varlong('timestampDelta');
    const offsetDelta = reader.varint('offsetDelta');
    const keyLength = reader.varint('key length');
    const keyStart = reader.position;
    if (keyLength < -1 || keyLength > recordEnd - keyStart) reader.fail('bad-record-length', `key length ${keyLength}`);
    if (keyLength > 0) reader.position += keyLength;
    const valueLength = reader.varint('value length');
    const valueStart = reader.position;
    if (valueLength < -1 || valueLength > recordEnd - valueStart) reader.fail('bad-record-length', `value length ${valueLength}`);
    if (valueLength > 0) reader.position += valueLength;
    const headerCount = reader.varint('header count');
    if (headerCount < 0 || headerCount * 2 > recordEnd - reader.position) reader.fail('bad-record-length', `header count ${headerCount}`);
    if (offsetDelta >= skipBelowDelta) {
      const timestamp = logAppendTime >= 0 ? logAppendTime : baseTimestamp + timestampDelta;
      out.push(new FetchedRecord(batch, offsetDelta, timestamp, keyStart, keyLength, valueStart, valueLength, reader.position, headerCount, recordEnd));
    }
    reader.position = recordEnd;
    reader.end = sectionEnd;
  }
  reader.recordIndex = -1;
  if (reader.remaining !== 0) reader.fail('trailing-bytes', `${reader.remaining} bytes follow the ${count} records the header declares`);
}
