import {
  CorruptRecordBatchError,
  decodeRecordBatch,
  encodeUncompressedRecordBatch,
  lastOffsetOf,
  recordBatchesIn,
  type BatchSlice,
  type DecodedRecordBatch,
} from '@kstream/protocol';
import { decodeTransactionLogRecord, encodeTransactionLogRecord } from './transaction-log-codec.js';
import { TransactionLogLoadError } from './transaction-log-load-error.js';
import type { TransactionLogRecord } from './transaction-log-record.js';

/**
 * One uncompressed RecordBatch v2 (magic 2, base offset 0, producer id -1)
 * holding `records` in order, each stamped `timestampMs`, ready for the
 * partition's append, which assigns the offsets. Throws RangeError for no
 * records, ProtocolEncodeError for a value Kafka's format cannot carry.
 */
export function encodeTransactionLogBatch(records: readonly TransactionLogRecord[], timestampMs: bigint): Buffer {
  return encodeUncompressedRecordBatch({
    baseTimestamp: timestampMs,
    records: records.map((record) => ({ ...encodeTransactionLogRecord(record), timestampDelta: 0 })),
  });
}

export interface TransactionLogRecordAt {
  readonly offset: bigint;
  readonly record: TransactionLogRecord;
}

export interface DecodedTransactionLogRead {
  /** The records of the read's data batches in offset order; control batches are left out. */
  readonly records: TransactionLogRecordAt[];
  /** The offset after the read's last batch; undefined when it held no whole batch. */
  readonly nextOffset: bigint | undefined;
}

function corrupt(error: unknown, offset: bigint, partition: number | undefined): TransactionLogLoadError {
  return new TransactionLogLoadError((error as Error).message, offset, partition, { cause: error });
}

async function decodeBatch(slice: BatchSlice, partition: number | undefined, into: TransactionLogRecordAt[]): Promise<void> {
  const { baseOffset } = slice.header;
  let batch: DecodedRecordBatch;
  try {
    batch = await decodeRecordBatch(slice.bytes);
  } catch (error) {
    throw corrupt(error, baseOffset, partition);
  }
  if (batch.attributes.isControl) return;
  for (const record of batch.records) {
    const offset = baseOffset + BigInt(record.offsetDelta);
    if (record.key === null) throw new TransactionLogLoadError('a record without a key', offset, partition);
    try {
      into.push({ offset, record: decodeTransactionLogRecord(record.key, record.value) });
    } catch (error) {
      throw corrupt(error, offset, partition);
    }
  }
}

function* batchesOf(bytes: Buffer, partition: number | undefined): Generator<BatchSlice> {
  try {
    yield* recordBatchesIn(bytes);
  } catch (error) {
    if (!(error instanceof CorruptRecordBatchError)) throw error;
    throw corrupt(error, error.baseOffset ?? -1n, partition);
  }
}

/**
 * Decodes the whole batches of one read of __transaction_state: each CRC
 * checked, a compressed batch decompressed, control batches skipped, gaps
 * left by compaction accepted. A bad batch or record is a
 * TransactionLogLoadError naming `partition` and the offset.
 */
export async function decodeTransactionLogRead(bytes: Buffer, partition?: number): Promise<DecodedTransactionLogRead> {
  const records: TransactionLogRecordAt[] = [];
  let nextOffset: bigint | undefined;
  for (const slice of batchesOf(bytes, partition)) {
    nextOffset = lastOffsetOf(slice.header) + 1n;
    await decodeBatch(slice, partition, records);
  }
  return { records, nextOffset };
}
