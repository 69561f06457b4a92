import { decodeRecordBatch, ErrorCode, recordBatchesIn } from '@kstream/protocol';
import { PartitionError } from './partition-errors.js';

/**
 * A compacted topic keeps the last record of each key, so a record without
 * one has no place in it: as Kafka's LogValidator, a produce holding one is
 * refused whole with INVALID_RECORD. The batches are decoded (decompressed
 * off the loop by the codecs); one that does not decode is left to the
 * log's validation, which refuses it as corrupt.
 */
export async function refuseKeylessRecords(records: Buffer, partitionName: string): Promise<void> {
  for (const { bytes, position } of recordBatchesIn(records)) {
    const decoded = await decodeRecordBatch(bytes).catch(() => undefined);
    if (decoded === undefined || decoded.attributes.isControl) continue;
    const keyless = decoded.records.findIndex((record) => record.key === null);
    if (keyless >= 0) {
      throw new PartitionError(
        ErrorCode.INVALID_RECORD,
        `Compacted topic cannot accept a record without a key: ${partitionName}, record ${keyless} of the batch at byte ${position} (cleanup.policy=compact)`,
      );
    }
  }
}
