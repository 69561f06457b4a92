import { BATCH_HEADER_SIZE, BATCH_LENGTH_PREFIX, BATCH_OFFSETS, CURRENT_MAGIC, crc32c } from '@kstream/protocol';
import { CorruptRecordError } from './storage-errors.js';
import type { TopicPartition } from './topic-partition.js';

/** Who appends: the leader assigns offsets; a follower copies the leader's. */
export type AppendOrigin = 'leader' | 'follower';

/**
 * A batch of an append, located in the caller's buffer. It is also what the
 * segment indexes (an IndexedBatch: last offset, max timestamp, size), so
 * committing a write needs no other object per batch.
 */
export interface AppendBatch {
  position: number;
  size: number;
  /** As sent by a leader (a follower's append); -1 until assignOffsets for a client's batch. */
  baseOffset: bigint;
  lastOffsetDelta: number;
  /** baseOffset + lastOffsetDelta, kept in step with baseOffset. */
  lastOffset: bigint;
  maxTimestamp: bigint;
  partitionLeaderEpoch: number;
}

/**
 * The checks that decide what is written, done before anything is: every
 * batch complete, magic 2, a sane length, and the buffer made of whole
 * batches only. Batches from clients (the leader's appends) must also cover
 * exactly `recordCount` offsets, as Kafka's LogValidator requires. The CRCs
 * are left to checkCrcs, which runs while the write is in flight. Throws
 * CorruptRecordError naming the partition and the first bad batch.
 */
export function validateAppend(tp: TopicPartition, records: Buffer, origin: AppendOrigin): AppendBatch[] {
  const batches: AppendBatch[] = [];
  let position = 0;
  while (position < records.length) {
    const available = records.length - position;
    if (available < BATCH_HEADER_SIZE) throw new CorruptRecordError(tp, position, { kind: 'incomplete', needed: BATCH_HEADER_SIZE, available });
    const batchLength = records.readInt32BE(position + BATCH_OFFSETS.batchLength);
    if (batchLength < BATCH_HEADER_SIZE - BATCH_LENGTH_PREFIX) throw new CorruptRecordError(tp, position, { kind: 'bad-length', batchLength });
    const size = batchLength + BATCH_LENGTH_PREFIX;
    if (available < size) throw new CorruptRecordError(tp, position, { kind: 'incomplete', needed: size, available });
    const magic = records.readInt8(position + BATCH_OFFSETS.magic);
    if (magic !== CURRENT_MAGIC) throw new CorruptRecordError(tp, position, { kind: 'bad-magic', magic });
    const lastOffsetDelta = records.readInt32BE(position + BATCH_OFFSETS.lastOffsetDelta);
    const recordCount = records.readInt32BE(position + BATCH_OFFSETS.recordCount);
    const badRange = lastOffsetDelta < 0 || (origin === 'leader' && (recordCount <= 0 || lastOffsetDelta + 1 !== recordCount));
    if (badRange) throw new CorruptRecordError(tp, position, { kind: 'bad-offset-range', lastOffsetDelta, recordCount });
    // A leader's batches get their offsets from the log (assignOffsets): what the client sent is not read.
    const baseOffset = origin === 'leader' ? -1n : records.readBigInt64BE(position + BATCH_OFFSETS.baseOffset);
    batches.push({
      position,
      size,
      baseOffset,
      lastOffsetDelta,
      lastOffset: origin === 'leader' ? -1n : baseOffset + BigInt(lastOffsetDelta),
      maxTimestamp: records.readBigInt64BE(position + BATCH_OFFSETS.maxTimestamp),
      partitionLeaderEpoch: records.readInt32BE(position + BATCH_OFFSETS.partitionLeaderEpoch),
    });
    position += size;
  }
  return batches;
}

/**
 * The CRC32C check of the batches validateAppend located: the error for the
 * first whose stored CRC does not match its bytes, if one does not. The CRC
 * covers attributes to the end of the batch, not the base offset or the
 * leader epoch, so the leader may rewrite those first.
 */
export function checkCrcs(tp: TopicPartition, records: Buffer, batches: readonly AppendBatch[]): CorruptRecordError | undefined {
  for (const b of batches) {
    const stored = records.readUInt32BE(b.position + BATCH_OFFSETS.crc);
    const computed = crc32c(records.subarray(b.position + BATCH_OFFSETS.attributes, b.position + b.size));
    if (stored !== computed) return new CorruptRecordError(tp, b.position, { kind: 'bad-crc', stored, computed });
  }
  return undefined;
}
