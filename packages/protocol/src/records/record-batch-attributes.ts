import {
  ATTRIBUTE_COMPRESSION_MASK,
  ATTRIBUTE_CONTROL,
  ATTRIBUTE_DELETE_HORIZON,
  ATTRIBUTE_TIMESTAMP_TYPE,
  ATTRIBUTE_TRANSACTIONAL,
  type RecordBatchHeader,
} from './record-batch-header.js';
import type { DecodedRecord } from './record.js';

/** Bit 3 of a batch's attributes: who set the timestamps. */
export const TimestampType = { CreateTime: 0, LogAppendTime: 1 } as const;
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType];

/** A batch's attributes, spelled out. `compression` is the raw 3-bit field (5–7 are not defined by Kafka). */
export interface BatchAttributes {
  compression: number;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControl: boolean;
  /** Set by the log cleaner: baseTimestamp is then the delete horizon of tombstones and markers. */
  hasDeleteHorizon: boolean;
}

export function readAttributes(attributes: number): BatchAttributes {
  return {
    compression: attributes & ATTRIBUTE_COMPRESSION_MASK,
    timestampType: attributes & ATTRIBUTE_TIMESTAMP_TYPE ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    isTransactional: (attributes & ATTRIBUTE_TRANSACTIONAL) !== 0,
    isControl: (attributes & ATTRIBUTE_CONTROL) !== 0,
    hasDeleteHorizon: (attributes & ATTRIBUTE_DELETE_HORIZON) !== 0,
  };
}

export function writeAttributes(attributes: Partial<BatchAttributes>): number {
  return (
    ((attributes.compression ?? 0) & ATTRIBUTE_COMPRESSION_MASK) |
    (attributes.timestampType === TimestampType.LogAppendTime ? ATTRIBUTE_TIMESTAMP_TYPE : 0) |
    (attributes.isTransactional ? ATTRIBUTE_TRANSACTIONAL : 0) |
    (attributes.isControl ? ATTRIBUTE_CONTROL : 0) |
    (attributes.hasDeleteHorizon ? ATTRIBUTE_DELETE_HORIZON : 0)
  );
}

/** The record's absolute offset. */
export function recordOffset(header: Pick<RecordBatchHeader, 'baseOffset'>, record: Pick<DecodedRecord, 'offsetDelta'>): bigint {
  return header.baseOffset + BigInt(record.offsetDelta);
}

/**
 * The record's timestamp: with LogAppendTime every record of the batch has
 * the broker's append time (maxTimestamp), as Kafka's consumers read it.
 */
export function recordTimestamp(header: Pick<RecordBatchHeader, 'attributes' | 'baseTimestamp' | 'maxTimestamp'>, record: Pick<DecodedRecord, 'timestampDelta'>): bigint {
  if (header.attributes & ATTRIBUTE_TIMESTAMP_TYPE) return header.maxTimestamp;
  return header.baseTimestamp + BigInt(record.timestampDelta);
}
