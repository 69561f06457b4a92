import { crc32c } from './crc32c.js';

/**
 * The fixed 61-byte header of a RecordBatch v2 (magic 2), read in place
 * without decoding the records: what the broker's produce and fetch paths and
 * the log need. Field offsets are Kafka's:
 *
 *   baseOffset int64 @0, batchLength int32 @8 (bytes after this field),
 *   partitionLeaderEpoch int32 @12, magic int8 @16, crc uint32 @17 (CRC32C of
 *   everything from attributes to the end of the batch), attributes int16 @21,
 *   lastOffsetDelta int32 @23, baseTimestamp int64 @27, maxTimestamp int64 @35,
 *   producerId int64 @43, producerEpoch int16 @51, baseSequence int32 @53,
 *   recordCount int32 @57, records @61.
 */
export const BATCH_OFFSETS = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
} as const;

export const BATCH_HEADER_SIZE = 61;
/** baseOffset and batchLength precede the counted length. */
export const BATCH_LENGTH_PREFIX = 12;
export const CURRENT_MAGIC = 2;

export const ATTRIBUTE_COMPRESSION_MASK = 0x07;
export const ATTRIBUTE_TIMESTAMP_TYPE = 0x08;
export const ATTRIBUTE_TRANSACTIONAL = 0x10;
export const ATTRIBUTE_CONTROL = 0x20;
export const ATTRIBUTE_DELETE_HORIZON = 0x40;

/** The codec in a batch's attributes (bits 0–2). */
export const CompressionType = { None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const;
export type CompressionType = (typeof CompressionType)[keyof typeof CompressionType];

export interface RecordBatchHeader {
  baseOffset: bigint;
  /** Total size of the batch in bytes, including baseOffset and batchLength. */
  sizeInBytes: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/**
 * Reads the header of the batch starting at `position`. Returns undefined when
 * fewer than BATCH_HEADER_SIZE bytes remain (an incomplete batch); it does not
 * check that the whole batch is present or valid — see validateBatch.
 */
export function readBatchHeader(buf: Buffer, position = 0): RecordBatchHeader | undefined {
  if (buf.length - position < BATCH_HEADER_SIZE) return undefined;
  return {
    baseOffset: buf.readBigInt64BE(position + BATCH_OFFSETS.baseOffset),
    sizeInBytes: buf.readInt32BE(position + BATCH_OFFSETS.batchLength) + BATCH_LENGTH_PREFIX,
    partitionLeaderEpoch: buf.readInt32BE(position + BATCH_OFFSETS.partitionLeaderEpoch),
    magic: buf.readInt8(position + BATCH_OFFSETS.magic),
    crc: buf.readUInt32BE(position + BATCH_OFFSETS.crc),
    attributes: buf.readInt16BE(position + BATCH_OFFSETS.attributes),
    lastOffsetDelta: buf.readInt32BE(position + BATCH_OFFSETS.lastOffsetDelta),
    baseTimestamp: buf.readBigInt64BE(position + BATCH_OFFSETS.baseTimestamp),
    maxTimestamp: buf.readBigInt64BE(position + BATCH_OFFSETS.maxTimestamp),
    producerId: buf.readBigInt64BE(position + BATCH_OFFSETS.producerId),
    producerEpoch: buf.readInt16BE(position + BATCH_OFFSETS.producerEpoch),
    baseSequence: buf.readInt32BE(position + BATCH_OFFSETS.baseSequence),
    recordCount: buf.readInt32BE(position + BATCH_OFFSETS.recordCount),
  };
}

export type BatchProblem =
  | { kind: 'incomplete'; needed: number; available: number }
  | { kind: 'bad-length'; batchLength: number }
  | { kind: 'bad-magic'; magic: number }
  | { kind: 'bad-crc'; stored: number; computed: number };

/**
 * Checks the batch at `position`: complete, a sane length, magic 2 and a CRC
 * that matches. Returns the batch's size in bytes, or the problem found.
 */
export function validateBatch(buf: Buffer, position = 0): { ok: true; size: number } | { ok: false; problem: BatchProblem } {
  const available = buf.length - position;
  if (available < BATCH_HEADER_SIZE) {
    return { ok: false, problem: { kind: 'incomplete', needed: BATCH_HEADER_SIZE, available } };
  }
  const batchLength = buf.readInt32BE(position + BATCH_OFFSETS.batchLength);
  if (batchLength < BATCH_HEADER_SIZE - BATCH_LENGTH_PREFIX) {
    return { ok: false, problem: { kind: 'bad-length', batchLength } };
  }
  const size = batchLength + BATCH_LENGTH_PREFIX;
  if (available < size) return { ok: false, problem: { kind: 'incomplete', needed: size, available } };
  const magic = buf.readInt8(position + BATCH_OFFSETS.magic);
  if (magic !== CURRENT_MAGIC) return { ok: false, problem: { kind: 'bad-magic', magic } };
  const stored = buf.readUInt32BE(position + BATCH_OFFSETS.crc);
  const computed = crc32c(buf.subarray(position + BATCH_OFFSETS.attributes, position + size));
  if (stored !== computed) return { ok: false, problem: { kind: 'bad-crc', stored, computed } };
  return { ok: true, size };
}

/** The offset of the batch's last record. */
export function lastOffsetOf(header: Pick<RecordBatchHeader, 'baseOffset' | 'lastOffsetDelta'>): bigint {
  return header.baseOffset + BigInt(header.lastOffsetDelta);
}

/** Rewrites the base offset in place (the CRC does not cover it). */
export function setBaseOffset(buf: Buffer, position: number, baseOffset: bigint): void {
  buf.writeBigInt64BE(baseOffset, position + BATCH_OFFSETS.baseOffset);
}

/** Rewrites the partition leader epoch in place (the CRC does not cover it). */
export function setPartitionLeaderEpoch(buf: Buffer, position: number, epoch: number): void {
  buf.writeInt32BE(epoch, position + BATCH_OFFSETS.partitionLeaderEpoch);
}

/**
 * Rewrites maxTimestamp (LogAppendTime) and recomputes the CRC, which covers
 * it. Throws RangeError when the batch's length does not fit the buffer: a CRC
 * over the wrong range would make a corrupt batch look valid.
 */
export function setMaxTimestampAndCrc(buf: Buffer, position: number, maxTimestamp: bigint, timestampTypeLogAppend: boolean): void {
  const size = buf.readInt32BE(position + BATCH_OFFSETS.batchLength) + BATCH_LENGTH_PREFIX;
  if (size < BATCH_HEADER_SIZE || position + size > buf.length) {
    throw new RangeError(`batch at byte ${position} claims ${size} bytes; ${buf.length - position} are there`);
  }
  if (timestampTypeLogAppend) {
    const attributes = buf.readInt16BE(position + BATCH_OFFSETS.attributes);
    buf.writeInt16BE(attributes | ATTRIBUTE_TIMESTAMP_TYPE, position + BATCH_OFFSETS.attributes);
  }
  buf.writeBigInt64BE(maxTimestamp, position + BATCH_OFFSETS.maxTimestamp);
  const crc = crc32c(buf.subarray(position + BATCH_OFFSETS.attributes, position + size));
  buf.writeUInt32BE(crc, position + BATCH_OFFSETS.crc);
}
