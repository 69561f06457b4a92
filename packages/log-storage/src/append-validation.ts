import { BATCH_OFFSETS, validateBatch } from '@kstream/protocol';
import { CorruptRecordError } from './storage-errors.js';
import type { TopicPartition } from './topic-partition.js';

/** Who appends: the leader assigns offsets; a follower copies the leader's. */
export type AppendOrigin = 'leader' | 'follower';

/** A batch of an append, located in the caller's buffer. */
export interface AppendBatch {
  position: number;
  size: number;
  /** As sent; the leader overwrites it. */
  baseOffset: bigint;
  lastOffsetDelta: number;
  maxTimestamp: bigint;
  partitionLeaderEpoch: number;
}

/**
 * Checks every batch of an append before anything is written: complete,
 * magic 2, a sane length, a matching CRC32C, and the buffer made of whole
 * batches only. Batches from clients (the leader's appends) must also cover
 * exactly `recordCount` offsets, as Kafka's LogValidator requires. Throws
 * CorruptRecordError naming the partition and the first bad batch.
 */
export function validateAppend(tp: TopicPartition, records: Buffer, origin: AppendOrigin): AppendBatch[] {
  const batches: AppendBatch[] = [];
  let position = 0;
  while (position < records.length) {
    const checked = validateBatch(records, position);
    if (!checked.ok) throw new CorruptRecordError(tp, position, checked.problem);
    const lastOffsetDelta = records.readInt32BE(position + BATCH_OFFSETS.lastOffsetDelta);
    const recordCount = records.readInt32BE(position + BATCH_OFFSETS.recordCount);
    const badRange = lastOffsetDelta < 0 || (origin === 'leader' && (recordCount <= 0 || lastOffsetDelta + 1 !== recordCount));
    if (badRange) throw new CorruptRecordError(tp, position, { kind: 'bad-offset-range', lastOffsetDelta, recordCount });
    batches.push({
      position,
      size: checked.size,
      baseOffset: records.readBigInt64BE(position + BATCH_OFFSETS.baseOffset),
      lastOffsetDelta,
      maxTimestamp: records.readBigInt64BE(position + BATCH_OFFSETS.maxTimestamp),
      partitionLeaderEpoch: records.readInt32BE(position + BATCH_OFFSETS.partitionLeaderEpoch),
    });
    position += checked.size;
  }
  return batches;
}
