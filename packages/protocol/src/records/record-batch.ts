import { compressionCodec, compressionName } from './compression.js';
import { crc32c } from './crc32c.js';
import { readAttributes, writeAttributes, type BatchAttributes, type TimestampType } from './record-batch-attributes.js';
import { CorruptRecordBatchError } from './record-batch-error.js';
import {
  ATTRIBUTE_COMPRESSION_MASK,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH_PREFIX,
  BATCH_OFFSETS,
  CompressionType,
  CURRENT_MAGIC,
  readBatchHeader,
  type RecordBatchHeader,
} from './record-batch-header.js';
import { RecordReader } from './record-reader.js';
import { layoutRecords, MIN_RECORD_SIZE, readRecord, writeRecords, type DecodedRecord, type RecordInput, type RecordsLayout } from './record.js';

/** A batch to encode. Defaults are what Kafka's producer writes for a non-idempotent batch. */
export interface RecordBatchInput {
  /** Defaults to 0: the broker assigns the real base offset on append. */
  baseOffset?: bigint;
  /** Defaults to -1 (no epoch), as a producer sends it. */
  partitionLeaderEpoch?: number;
  compression?: CompressionType;
  timestampType?: TimestampType;
  isTransactional?: boolean;
  isControl?: boolean;
  /** Defaults to -1 (not idempotent). */
  producerId?: bigint;
  /** Defaults to -1. */
  producerEpoch?: number;
  /** Sequence of the first record; defaults to -1. */
  baseSequence?: number;
  /** Defaults to the first record's timestamp, or to now when the records carry none. */
  baseTimestamp?: number | bigint;
  /**
   * Defaults to the last record's offset delta. The log cleaner keeps a
   * compacted batch's original last offset delta, so it may be larger.
   */
  lastOffsetDelta?: number;
  records: readonly RecordInput[];
}

export interface DecodedRecordBatch {
  header: RecordBatchHeader;
  attributes: BatchAttributes;
  records: DecodedRecord[];
}

function baseTimestampOf(batch: RecordBatchInput): number {
  const given = batch.baseTimestamp ?? batch.records.find((record) => record.timestamp !== undefined)?.timestamp;
  const base = given === undefined ? Date.now() : Number(given);
  if (!Number.isSafeInteger(base)) throw new RangeError(`baseTimestamp ${given} is not an integer within ±2^53 ms`);
  return base;
}

/** The records sized, and the batch's timestamps and last offset delta, checked before anything is written. */
function planBatch(batch: RecordBatchInput): { baseTimestamp: number; layout: RecordsLayout; lastOffsetDelta: number } {
  const { records } = batch;
  if (records.length === 0) throw new RangeError('a record batch needs at least one record');
  const baseTimestamp = baseTimestampOf(batch);
  const layout = layoutRecords(records, baseTimestamp);
  const lastRecordDelta = records[records.length - 1]!.offsetDelta ?? records.length - 1;
  const lastOffsetDelta = batch.lastOffsetDelta ?? lastRecordDelta;
  if (lastOffsetDelta < lastRecordDelta) {
    throw new RangeError(`lastOffsetDelta ${lastOffsetDelta} is below the last record's offset delta ${lastRecordDelta}`);
  }
  return { baseTimestamp, layout, lastOffsetDelta };
}

/** Fills the header of `buf`, whose records section is written, and computes the CRC32C over attributes to the end. */
function writeBatchHeader(
  buf: Buffer,
  batch: RecordBatchInput,
  compression: CompressionType,
  plan: { baseTimestamp: number; layout: RecordsLayout; lastOffsetDelta: number },
): void {
  const { baseTimestamp, layout, lastOffsetDelta } = plan;
  const attributes = writeAttributes({
    compression,
    timestampType: batch.timestampType,
    isTransactional: batch.isTransactional,
    isControl: batch.isControl,
  });
  buf.writeBigInt64BE(batch.baseOffset ?? 0n, BATCH_OFFSETS.baseOffset);
  buf.writeInt32BE(buf.length - BATCH_LENGTH_PREFIX, BATCH_OFFSETS.batchLength);
  buf.writeInt32BE(batch.partitionLeaderEpoch ?? -1, BATCH_OFFSETS.partitionLeaderEpoch);
  buf.writeInt8(CURRENT_MAGIC, BATCH_OFFSETS.magic);
  buf.writeInt16BE(attributes, BATCH_OFFSETS.attributes);
  buf.writeInt32BE(lastOffsetDelta, BATCH_OFFSETS.lastOffsetDelta);
  buf.writeBigInt64BE(BigInt(baseTimestamp), BATCH_OFFSETS.baseTimestamp);
  buf.writeBigInt64BE(BigInt(baseTimestamp + layout.maxTimestampDelta), BATCH_OFFSETS.maxTimestamp);
  buf.writeBigInt64BE(batch.producerId ?? -1n, BATCH_OFFSETS.producerId);
  buf.writeInt16BE(batch.producerEpoch ?? -1, BATCH_OFFSETS.producerEpoch);
  buf.writeInt32BE(batch.baseSequence ?? -1, BATCH_OFFSETS.baseSequence);
  buf.writeInt32BE(batch.records.length, BATCH_OFFSETS.recordCount);
  buf.writeUInt32BE(crc32c(buf.subarray(BATCH_OFFSETS.attributes)), BATCH_OFFSETS.crc);
}

/**
 * Encodes a RecordBatch v2: the records are sized in one pass and written in
 * a second into a buffer of their final size, then compressed as a whole if
 * asked, and the CRC32C computed over attributes to the end. The batch owns
 * its ArrayBuffer (never a slice of Node's shared pool), so it can be
 * transferred to another thread. Throws
 * RangeError for a batch Kafka could not carry (no records, an offset delta
 * that is not an int32 >= 0 or out of order with lastOffsetDelta).
 */
export async function encodeRecordBatch(batch: RecordBatchInput): Promise<Buffer<ArrayBuffer>> {
  const compression = batch.compression ?? CompressionType.None;
  if (compression === CompressionType.None) return encodeUncompressedRecordBatch(batch);
  const codec = compressionCodec(compression);
  if (codec === undefined) throw new RangeError(`compression type ${compression} is not one Kafka defines`);
  const plan = planBatch(batch);
  const plain = Buffer.allocUnsafe(plan.layout.size);
  writeRecords(plain, 0, batch.records, plan.layout);
  const compressed = await codec.compress(plain);
  const buf = Buffer.allocUnsafeSlow(BATCH_HEADER_SIZE + compressed.length);
  compressed.copy(buf, BATCH_HEADER_SIZE);
  writeBatchHeader(buf, batch, compression, plan);
  return buf;
}

/**
 * encodeRecordBatch without compression, done synchronously: for a caller
 * that builds a batch inside one synchronous step, such as a coordinator
 * writing its records. A `compression` other than none is a RangeError.
 */
export function encodeUncompressedRecordBatch(batch: RecordBatchInput): Buffer<ArrayBuffer> {
  const compression = batch.compression ?? CompressionType.None;
  if (compression !== CompressionType.None) {
    throw new RangeError(`encodeUncompressedRecordBatch writes no compression, not ${compressionName(compression)}`);
  }
  const plan = planBatch(batch);
  const buf = Buffer.allocUnsafeSlow(BATCH_HEADER_SIZE + plan.layout.size);
  writeRecords(buf, BATCH_HEADER_SIZE, batch.records, plan.layout);
  writeBatchHeader(buf, batch, compression, plan);
  return buf;
}

export interface DecodeRecordBatchOptions {
  /** Check the CRC32C before decoding; on by default, as Kafka's check.crcs. */
  verifyCrc?: boolean;
}

/** The header of the one batch `buf` must hold exactly, checked for length, magic and (by default) CRC. */
function checkedHeader(buf: Buffer, verifyCrc: boolean): RecordBatchHeader {
  const header = readBatchHeader(buf);
  if (header === undefined) {
    throw new CorruptRecordBatchError('truncated', `${buf.length} bytes, below the ${BATCH_HEADER_SIZE}-byte header`);
  }
  const { baseOffset, sizeInBytes } = header;
  if (sizeInBytes < BATCH_HEADER_SIZE) {
    throw new CorruptRecordBatchError('bad-length', `batchLength ${sizeInBytes - BATCH_LENGTH_PREFIX} is below the header's`, baseOffset);
  }
  if (buf.length < sizeInBytes) {
    throw new CorruptRecordBatchError('truncated', `batch of ${sizeInBytes} bytes but only ${buf.length} given`, baseOffset);
  }
  if (buf.length > sizeInBytes) {
    throw new CorruptRecordBatchError('trailing-bytes', `${buf.length - sizeInBytes} bytes follow the ${sizeInBytes}-byte batch (use recordBatchesIn for several)`, baseOffset);
  }
  if (header.magic !== CURRENT_MAGIC) {
    throw new CorruptRecordBatchError('bad-magic', `magic ${header.magic}, only RecordBatch v2 (magic 2) is supported`, baseOffset);
  }
  if (verifyCrc) {
    const computed = crc32c(buf.subarray(BATCH_OFFSETS.attributes));
    if (computed !== header.crc) {
      throw new CorruptRecordBatchError('bad-crc', `stored CRC ${header.crc} but the bytes give ${computed}`, baseOffset);
    }
  }
  if (header.recordCount < 0) {
    throw new CorruptRecordBatchError('bad-record-count', `negative record count ${header.recordCount}`, baseOffset);
  }
  return header;
}

/**
 * The records section of the batch `buf` holds exactly, decompressed if its
 * attributes say so: for a reader that walks records itself, such as a
 * client's lazy decoder. A codec failure is a CorruptRecordBatchError.
 */
export async function recordsSection(buf: Buffer, header: RecordBatchHeader, compression = header.attributes & ATTRIBUTE_COMPRESSION_MASK): Promise<Buffer> {
  const section = buf.subarray(BATCH_HEADER_SIZE);
  if (compression === CompressionType.None || (header.recordCount === 0 && section.length === 0)) return section;
  const codec = compressionCodec(compression);
  if (codec === undefined) {
    throw new CorruptRecordBatchError('unknown-compression', `compression type ${compression} is not one Kafka defines`, header.baseOffset);
  }
  try {
    return await codec.decompress(section);
  } catch (error) {
    throw new CorruptRecordBatchError(
      'bad-compressed-data',
      `${codec.name} cannot decompress the ${section.length}-byte records section: ${(error as Error).message}`,
      header.baseOffset,
      { cause: error },
    );
  }
}

/**
 * Decodes the one RecordBatch v2 that `buf` holds exactly. Nothing in the
 * bytes is trusted: a record count, length or varint that runs past what
 * remains, bytes left over, a bad CRC or magic each throw a
 * CorruptRecordBatchError. Keys, values and header values are views of `buf`
 * (or of the decompressed records), not copies.
 */
export async function decodeRecordBatch(buf: Buffer, options: DecodeRecordBatchOptions = {}): Promise<DecodedRecordBatch> {
  const header = checkedHeader(buf, options.verifyCrc ?? true);
  const attributes = readAttributes(header.attributes);
  const section = await recordsSection(buf, header, attributes.compression);
  const { recordCount, baseOffset } = header;
  if (recordCount * MIN_RECORD_SIZE > section.length) {
    throw new CorruptRecordBatchError('bad-record-count', `record count ${recordCount} exceeds what the ${section.length}-byte records section could hold`, baseOffset);
  }
  const reader = new RecordReader(section, 0, section.length, baseOffset);
  const records: DecodedRecord[] = new Array(recordCount);
  for (let i = 0; i < recordCount; i++) {
    reader.recordIndex = i;
    records[i] = readRecord(reader);
  }
  reader.recordIndex = -1;
  if (reader.remaining !== 0) {
    reader.fail('trailing-bytes', `${reader.remaining} bytes follow the ${recordCount} records the header declares`);
  }
  return { header, attributes, records };
}
