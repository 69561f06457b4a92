import {
  CorruptRecordBatchError,
  decodeRecordBatch,
  encodeUncompressedRecordBatch,
  lastOffsetOf,
  recordBatchesIn,
  type BatchSlice,
  type DecodedRecordBatch,
} from '@kstream/protocol';
import { decodeCoordinatorRecord, encodeCoordinatorRecord } from './coordinator-record-codec.js';
import type { CoordinatorRecord } from './coordinator-record.js';
import { CoordinatorLoadError } from './coordinator-load-error.js';

/**
 * One uncompressed RecordBatch v2 (magic 2, base offset 0, producer id -1)
 * holding `records` in order, each stamped `timestampMs`: key the record's
 * key bytes, value its value bytes or null for a tombstone. Ready for a
 * partition's append, which assigns the offsets. Throws RangeError for no
 * records, ProtocolEncodeError for a value Kafka's format cannot carry.
 */
export function encodeCoordinatorBatch(records: readonly CoordinatorRecord[], timestampMs: bigint): Buffer {
  return encodeUncompressedRecordBatch({
    baseTimestamp: timestampMs,
    records: records.map((record) => ({ ...encodeCoordinatorRecord(record), timestampDelta: 0 })),
  });
}

/** A record of __consumer_offsets with the offset it has in the log. */
export interface CoordinatorRecordAt {
  readonly offset: bigint;
  readonly record: CoordinatorRecord;
}

export interface DecodedCoordinatorRead {
  /** The records of the read's data batches in offset order; control batches and record types we do not read are left out. */
  readonly records: CoordinatorRecordAt[];
  /** The offset after the read's last batch; undefined when it held no whole batch. */
  readonly nextOffset: bigint | undefined;
}

function corrupt(error: unknown, offset: bigint, partition: number | undefined): CoordinatorLoadError {
  return new CoordinatorLoadError((error as Error).message, offset, partition, { cause: error });
}

async function decodeBatch(slice: BatchSlice, partition: number | undefined, into: CoordinatorRecordAt[]): Promise<void> {
  const { baseOffset } = slice.header;
  let batch: DecodedRecordBatch;
  try {
    batch = await decodeRecordBatch(slice.bytes);
  } catch (error) {
    throw corrupt(error, baseOffset, partition);
  }
  if (batch.attributes.isControl) return;
  for (const record of batch.records) {
    const offset = baseOffset + BigInt(record.offsetDelta);
    if (record.key === null) throw new CoordinatorLoadError('a record without a key', offset, partition);
    let decoded: CoordinatorRecord | undefined;
    try {
      decoded = decodeCoordinatorRecord(record.key, record.value);
    } catch (error) {
      throw corrupt(error, offset, partition);
    }
    if (decoded !== undefined) into.push({ offset, record: decoded });
  }
}

/** The read's whole batches; a length that makes the rest unreadable is a CoordinatorLoadError. */
function* batchesOf(bytes: Buffer, partition: number | undefined): Generator<BatchSlice> {
  try {
    yield* recordBatchesIn(bytes);
  } catch (error) {
    if (!(error instanceof CorruptRecordBatchError)) throw error;
    throw corrupt(error, error.baseOffset ?? -1n, partition);
  }
}

/**
 * Decodes the whole batches of one read of __consumer_offsets: the CRC of
 * each checked, a compressed batch decompressed with protocol's codecs,
 * control batches (transaction markers) skipped, gaps between offsets (left
 * by compaction) accepted. A bad batch or record is a CoordinatorLoadError
 * naming `partition` and the offset.
 */
export async function decodeCoordinatorRead(bytes: Buffer, partition?: number): Promise<DecodedCoordinatorRead> {
  const records: CoordinatorRecordAt[] = [];
  let nextOffset: bigint | undefined;
  for (const slice of batchesOf(bytes, partition)) {
    nextOffset = lastOffsetOf(slice.header) + 1n;
    await decodeBatch(slice, partition, records);
  }
  return { records, nextOffset };
}
