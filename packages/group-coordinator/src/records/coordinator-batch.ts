import {
  ControlRecordType,
  CorruptRecordBatchError,
  decodeRecordBatch,
  encodeUncompressedRecordBatch,
  lastOffsetOf,
  readControlRecordKey,
  recordBatchesIn,
  type BatchSlice,
  type DecodedRecordBatch,
} from '@kstream/protocol';
import { decodeCoordinatorRecord, encodeCoordinatorRecord } from './coordinator-record-codec.js';
import type { CoordinatorRecord } from './coordinator-record.js';
import { CoordinatorLoadError } from './coordinator-load-error.js';

/** The producer of a transactional offset commit (TxnOffsetCommit's producer id and epoch). */
export interface CoordinatorBatchProducer {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

/**
 * One uncompressed RecordBatch v2 (magic 2, base offset 0) holding `records`
 * in order, each stamped `timestampMs`: key the record's key bytes, value its
 * value bytes or null for a tombstone. Without `producer` the batch is the
 * coordinator's own (producer id -1); with it, a transactional batch of that
 * producer id and epoch at base sequence 0, as Kafka writes a TxnOffsetCommit
 * (the log does not check sequences of coordinator writes). Ready for a
 * partition's append, which assigns the offsets. Throws RangeError for no
 * records, ProtocolEncodeError for a value Kafka's format cannot carry.
 */
export function encodeCoordinatorBatch(records: readonly CoordinatorRecord[], timestampMs: bigint, producer?: CoordinatorBatchProducer): Buffer {
  return encodeUncompressedRecordBatch({
    baseTimestamp: timestampMs,
    ...(producer === undefined ? {} : { isTransactional: true, producerId: producer.producerId, producerEpoch: producer.producerEpoch, baseSequence: 0 }),
    records: records.map((record) => ({ ...encodeCoordinatorRecord(record), timestampDelta: 0 })),
  });
}

/** A record of __consumer_offsets with the offset it has in the log. */
export interface CoordinatorRecordAt {
  readonly offset: bigint;
  readonly record: CoordinatorRecord;
  /** The producer id of the transactional batch holding the record (a TxnOffsetCommit's); undefined outside a transaction. */
  readonly producerId?: bigint;
}

/** A transaction marker of __consumer_offsets: the control batch that commits or aborts `producerId`'s transaction there. */
export interface TxnMarkerAt {
  readonly offset: bigint;
  readonly producerId: bigint;
  readonly commit: boolean;
}

export interface DecodedCoordinatorRead {
  /** The records of the read's data batches in offset order; record types we do not read are left out. */
  readonly records: CoordinatorRecordAt[];
  /** The read's COMMIT and ABORT markers in offset order; other control records are left out. */
  readonly markers: TxnMarkerAt[];
  /** The offset after the read's last batch; undefined when it held no whole batch. */
  readonly nextOffset: bigint | undefined;
}

function corrupt(error: unknown, offset: bigint, partition: number | undefined): CoordinatorLoadError {
  return new CoordinatorLoadError((error as Error).message, offset, partition, { cause: error });
}

async function decodeBatch(slice: BatchSlice, partition: number | undefined, into: { readonly records: CoordinatorRecordAt[]; readonly markers: TxnMarkerAt[] }): Promise<void> {
  const { baseOffset, producerId } = slice.header;
  let batch: DecodedRecordBatch;
  try {
    batch = await decodeRecordBatch(slice.bytes);
  } catch (error) {
    throw corrupt(error, baseOffset, partition);
  }
  if (batch.attributes.isControl) {
    const marker = markerOf(batch, partition);
    if (marker !== undefined) into.markers.push(marker);
    return;
  }
  const transactional = batch.attributes.isTransactional ? { producerId } : {};
  for (const record of batch.records) {
    const offset = baseOffset + BigInt(record.offsetDelta);
    if (record.key === null) throw new CoordinatorLoadError('a record without a key', offset, partition);
    let decoded: CoordinatorRecord | undefined;
    try {
      decoded = decodeCoordinatorRecord(record.key, record.value);
    } catch (error) {
      throw corrupt(error, offset, partition);
    }
    if (decoded !== undefined) into.records.push({ offset, record: decoded, ...transactional });
  }
}

/** The COMMIT or ABORT marker a control batch holds; undefined for another control record (or none: compacted away). */
function markerOf(batch: DecodedRecordBatch, partition: number | undefined): TxnMarkerAt | undefined {
  const record = batch.records[0];
  if (record === undefined) return undefined;
  const offset = batch.header.baseOffset + BigInt(record.offsetDelta);
  let type: number;
  try {
    type = readControlRecordKey(record.key).type;
  } catch (error) {
    throw corrupt(error, offset, partition);
  }
  if (type !== ControlRecordType.Commit && type !== ControlRecordType.Abort) return undefined;
  return { offset, producerId: batch.header.producerId, commit: type === ControlRecordType.Commit };
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
 * each checked, a compressed batch decompressed with protocol's codecs, the
 * records of a transactional batch tagged with its producer id, transaction
 * markers read from their control batches, gaps between offsets (left by
 * compaction) accepted. A bad batch or record is a CoordinatorLoadError
 * naming `partition` and the offset.
 */
export async function decodeCoordinatorRead(bytes: Buffer, partition?: number): Promise<DecodedCoordinatorRead> {
  const into = { records: [] as CoordinatorRecordAt[], markers: [] as TxnMarkerAt[] };
  let nextOffset: bigint | undefined;
  for (const slice of batchesOf(bytes, partition)) {
    nextOffset = lastOffsetOf(slice.header) + 1n;
    await decodeBatch(slice, partition, into);
  }
  return { ...into, nextOffset };
}
