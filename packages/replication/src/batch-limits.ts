import { BATCH_HEADER_SIZE, BATCH_LENGTH_PREFIX, BATCH_OFFSETS, ErrorCode } from '@kstream/protocol';
import type { PartitionConfig } from './partition-config.js';
import { PartitionError } from './partition-errors.js';

/**
 * Checks each produced batch's size against max.message.bytes and
 * segment.bytes, reading only the header fields it needs: this runs for
 * every produced batch. Anything else — CRC, producer state, transactions —
 * is the log's validation.
 */
export function checkProducedBatches(records: Buffer, config: PartitionConfig, partitionName: string): void {
  const { maxMessageBytes, log } = config;
  let position = 0;
  while (position + BATCH_HEADER_SIZE <= records.length) {
    const size = records.readInt32BE(position + BATCH_OFFSETS.batchLength) + BATCH_LENGTH_PREFIX;
    // A length that cannot be right is left to the log's validation (CORRUPT_MESSAGE).
    if (size < BATCH_HEADER_SIZE) return;
    if (size > maxMessageBytes) {
      throw new PartitionError(ErrorCode.MESSAGE_TOO_LARGE, `Record batch of ${size} bytes for ${partitionName} exceeds max.message.bytes=${maxMessageBytes}`);
    }
    if (size > log.segmentBytes) {
      throw new PartitionError(ErrorCode.RECORD_LIST_TOO_LARGE, `Record batch of ${size} bytes for ${partitionName} exceeds segment.bytes=${log.segmentBytes}`);
    }
    position += size;
  }
}
