import { BATCH_HEADER_SIZE, BATCH_OFFSETS, crc32c } from '@kstream/protocol';

/**
 * A valid RecordBatch v2 of `size` bytes holding `records` records (the log
 * never decodes records, so the bytes after the header are arbitrary but
 * CRC-covered): what a producer's batch looks like to the log.
 */
export function benchBatch(size: number, records: number): Buffer {
  const batch = Buffer.alloc(size, 0x5a);
  const now = BigInt(Date.now());
  batch.writeBigInt64BE(0n, BATCH_OFFSETS.baseOffset);
  batch.writeInt32BE(size - 12, BATCH_OFFSETS.batchLength);
  batch.writeInt32BE(0, BATCH_OFFSETS.partitionLeaderEpoch);
  batch.writeInt8(2, BATCH_OFFSETS.magic);
  batch.writeInt16BE(0, BATCH_OFFSETS.attributes);
  batch.writeInt32BE(records - 1, BATCH_OFFSETS.lastOffsetDelta);
  batch.writeBigInt64BE(now, BATCH_OFFSETS.baseTimestamp);
  batch.writeBigInt64BE(now, BATCH_OFFSETS.maxTimestamp);
  batch.writeBigInt64BE(-1n, BATCH_OFFSETS.producerId);
  batch.writeInt16BE(-1, BATCH_OFFSETS.producerEpoch);
  batch.writeInt32BE(-1, BATCH_OFFSETS.baseSequence);
  batch.writeInt32BE(records, BATCH_OFFSETS.recordCount);
  if (size < BATCH_HEADER_SIZE) throw new RangeError(`a batch needs at least ${BATCH_HEADER_SIZE} bytes`);
  batch.writeUInt32BE(crc32c(batch.subarray(BATCH_OFFSETS.attributes)), BATCH_OFFSETS.crc);
  return batch;
}
