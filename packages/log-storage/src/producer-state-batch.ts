import {
  ATTRIBUTE_COMPRESSION_MASK,
  ATTRIBUTE_CONTROL,
  ATTRIBUTE_TRANSACTIONAL,
  BATCH_HEADER_SIZE,
  BATCH_OFFSETS,
  ControlRecordType,
  RecordReader,
  readControlRecordKey,
  readEndTxnMarker,
} from '@kstream/protocol';

const INT32_MAX = 0x7fffffff;

/** What producer state needs of a batch, from its header alone (a control batch's marker from its one record). */
export interface ProducerBatch {
  producerId: bigint;
  producerEpoch: number;
  firstSeq: number;
  lastSeq: number;
  isTransactional: boolean;
  isControl: boolean;
}

/**
 * Whether the batch at `position` carries a producer id: the id is >= 0
 * exactly when the high half of its int64 is (no bigint made on the hot path).
 */
export function hasProducerId(buf: Buffer, position: number): boolean {
  return buf.readInt32BE(position + BATCH_OFFSETS.producerId) >= 0;
}

/** The producer fields of the batch at `position`. */
export function readProducerBatch(buf: Buffer, position: number): ProducerBatch {
  const attributes = buf.readInt16BE(position + BATCH_OFFSETS.attributes);
  const firstSeq = buf.readInt32BE(position + BATCH_OFFSETS.baseSequence);
  const lastOffsetDelta = buf.readInt32BE(position + BATCH_OFFSETS.lastOffsetDelta);
  return {
    producerId: buf.readBigInt64BE(position + BATCH_OFFSETS.producerId),
    producerEpoch: buf.readInt16BE(position + BATCH_OFFSETS.producerEpoch),
    firstSeq,
    lastSeq: firstSeq < 0 ? firstSeq : incrementSequence(firstSeq, lastOffsetDelta),
    isTransactional: (attributes & ATTRIBUTE_TRANSACTIONAL) !== 0,
    isControl: (attributes & ATTRIBUTE_CONTROL) !== 0,
  };
}

/** Kafka's DefaultRecordBatch.incrementSequence: sequences wrap from Int32 max to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > INT32_MAX - increment) return increment - (INT32_MAX - sequence) - 1;
  return sequence + increment;
}

/** Kafka's DefaultRecordBatch.decrementSequence: the inverse of incrementSequence. */
export function decrementSequence(sequence: number, decrement: number): number {
  if (sequence < decrement) return INT32_MAX - (decrement - sequence) + 1;
  return sequence - decrement;
}

/** The transaction marker a control batch holds (its first record), or undefined if it holds another kind of control record. */
export function readTxnMarker(buf: Buffer, position: number, size: number, baseOffset: bigint): { commit: boolean; coordinatorEpoch: number } | undefined {
  if ((buf.readInt16BE(position + BATCH_OFFSETS.attributes) & ATTRIBUTE_COMPRESSION_MASK) !== 0) return undefined;
  const reader = new RecordReader(buf, position + BATCH_HEADER_SIZE, position + size, baseOffset);
  reader.varint('record length');
  reader.int8('record attributes');
  reader.varlong('timestamp delta');
  reader.varint('offset delta');
  const { type } = readControlRecordKey(reader.nullableBytes('control key'));
  if (type !== ControlRecordType.Abort && type !== ControlRecordType.Commit) return undefined;
  const { coordinatorEpoch } = readEndTxnMarker(reader.nullableBytes('marker value'));
  return { commit: type === ControlRecordType.Commit, coordinatorEpoch };
}
