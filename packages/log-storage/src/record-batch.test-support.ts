import { BATCH_HEADER_SIZE, BATCH_OFFSETS, crc32c, lastOffsetOf, readBatchHeader } from '@kstream/protocol';

export interface BatchSpec {
  baseOffset?: bigint;
  /** Records in the batch; lastOffsetDelta is records - 1 unless given. */
  records?: number;
  lastOffsetDelta?: number;
  baseTimestamp?: bigint;
  maxTimestamp?: bigint;
  partitionLeaderEpoch?: number;
  /** Bytes after the 61-byte header (the log never decodes them). */
  bodyBytes?: number;
  /** Fill byte of the body, to tell batches apart. */
  fill?: number;
  magic?: number;
}

/**
 * A valid RecordBatch v2 built by hand: the header fields, `bodyBytes` of
 * arbitrary record bytes, and the CRC32C over attributes..end. The log never
 * decodes records, so the body need not parse.
 */
export function makeBatch(spec: BatchSpec = {}): Buffer {
  const records = spec.records ?? 1;
  const bodyBytes = spec.bodyBytes ?? 32;
  const buf = Buffer.alloc(BATCH_HEADER_SIZE + bodyBytes, spec.fill ?? 0x61);
  const baseTimestamp = spec.baseTimestamp ?? 1_700_000_000_000n;
  buf.writeBigInt64BE(spec.baseOffset ?? 0n, BATCH_OFFSETS.baseOffset);
  buf.writeInt32BE(buf.length - 12, BATCH_OFFSETS.batchLength);
  buf.writeInt32BE(spec.partitionLeaderEpoch ?? 0, BATCH_OFFSETS.partitionLeaderEpoch);
  buf.writeInt8(spec.magic ?? 2, BATCH_OFFSETS.magic);
  buf.writeInt16BE(0, BATCH_OFFSETS.attributes);
  buf.writeInt32BE(spec.lastOffsetDelta ?? records - 1, BATCH_OFFSETS.lastOffsetDelta);
  buf.writeBigInt64BE(baseTimestamp, BATCH_OFFSETS.baseTimestamp);
  buf.writeBigInt64BE(spec.maxTimestamp ?? baseTimestamp, BATCH_OFFSETS.maxTimestamp);
  buf.writeBigInt64BE(-1n, BATCH_OFFSETS.producerId);
  buf.writeInt16BE(-1, BATCH_OFFSETS.producerEpoch);
  buf.writeInt32BE(-1, BATCH_OFFSETS.baseSequence);
  buf.writeInt32BE(records, BATCH_OFFSETS.recordCount);
  resealCrc(buf, 0);
  return buf;
}

/** Recomputes the CRC of the batch at `position` (after a test edits it on purpose). */
export function resealCrc(buf: Buffer, position: number): void {
  const size = buf.readInt32BE(position + BATCH_OFFSETS.batchLength) + 12;
  buf.writeUInt32BE(crc32c(buf.subarray(position + BATCH_OFFSETS.attributes, position + size)), position + BATCH_OFFSETS.crc);
}

export interface BatchSummary {
  baseOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: bigint;
  partitionLeaderEpoch: number;
  size: number;
  fill: number;
}

/** The batches of a buffer (a read's result), summarised. */
export function batchesIn(buf: Buffer): BatchSummary[] {
  const out: BatchSummary[] = [];
  let position = 0;
  while (position < buf.length) {
    const h = readBatchHeader(buf, position);
    if (h === undefined) throw new Error(`partial batch header at ${position}`);
    out.push({
      baseOffset: h.baseOffset,
      lastOffset: lastOffsetOf(h),
      maxTimestamp: h.maxTimestamp,
      partitionLeaderEpoch: h.partitionLeaderEpoch,
      size: h.sizeInBytes,
      fill: h.sizeInBytes > BATCH_HEADER_SIZE ? buf[position + BATCH_HEADER_SIZE]! : -1,
    });
    position += h.sizeInBytes;
  }
  return out;
}
