import { BATCH_OFFSETS, crc32c } from '@kstream/protocol';

/**
 * Rewrites a built RecordBatch's producer id, epoch and base sequence in
 * place and recomputes its CRC (which covers them): after an epoch bump a
 * batch gets a new sequence without being encoded (or compressed) again.
 */
export function restampBatch(batch: Buffer, producerId: bigint, producerEpoch: number, baseSequence: number): void {
  batch.writeBigInt64BE(producerId, BATCH_OFFSETS.producerId);
  batch.writeInt16BE(producerEpoch, BATCH_OFFSETS.producerEpoch);
  batch.writeInt32BE(baseSequence, BATCH_OFFSETS.baseSequence);
  batch.writeUInt32BE(crc32c(batch.subarray(BATCH_OFFSETS.attributes)), BATCH_OFFSETS.crc);
}
