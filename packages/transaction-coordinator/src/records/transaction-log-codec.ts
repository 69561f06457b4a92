import { dataMessageCodec, ProtocolDecodeError } from '@kstream/protocol';
import type { TopicPartitionRef } from '../coordinator-types.js';
import type { TransactionLogRecord, TransactionLogValue } from './transaction-log-record.js';
import { TRANSACTION_LOG_KEY_VERSION, TRANSACTION_LOG_VALUE_VERSION, TransactionLogKeySchema, TransactionLogValueSchema } from './transaction-log-schemas.js';
import { TransactionState, transactionStateFromStatus } from './transaction-state.js';

const keys = dataMessageCodec(TransactionLogKeySchema);
const values = dataMessageCodec(TransactionLogValueSchema);

/** A record's key and value bytes as they go into a RecordBatch; value null is a tombstone. */
export interface EncodedTransactionLogRecord {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

/** The partitions grouped by topic, topics in first-seen order (Kafka's PartitionsSchema list). */
function partitionsByTopic(partitions: readonly TopicPartitionRef[]): { topic: string; partitionIds: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    let ids = byTopic.get(topic);
    if (ids === undefined) byTopic.set(topic, (ids = []));
    ids.push(partition);
  }
  return [...byTopic].map(([topic, partitionIds]) => ({ topic, partitionIds }));
}

/**
 * Encodes a record as Kafka writes it under transaction version 1: key v0,
 * value v0, the partitions null for an Empty transaction. Throws
 * ProtocolEncodeError for a value Kafka's format cannot carry.
 */
export function encodeTransactionLogRecord(record: TransactionLogRecord): EncodedTransactionLogRecord {
  const key = keys.encode({ transactionalId: record.transactionalId }, TRANSACTION_LOG_KEY_VERSION);
  const { value } = record;
  if (value === null) return { key, value: null };
  const encoded = values.encode(
    {
      producerId: value.producerId,
      previousProducerId: -1n,
      nextProducerId: -1n,
      producerEpoch: value.producerEpoch,
      transactionTimeoutMs: value.transactionTimeoutMs,
      transactionStatus: value.state,
      transactionPartitions: value.state === TransactionState.Empty ? null : partitionsByTopic(value.partitions),
      transactionLastUpdateTimestampMs: value.lastUpdateTimestampMs,
      transactionStartTimestampMs: value.startTimestampMs,
      clientTransactionVersion: 0,
    },
    TRANSACTION_LOG_VALUE_VERSION,
  );
  return { key, value: encoded };
}

function decodeValue(bytes: Buffer): TransactionLogValue {
  const value = values.decode(bytes).message;
  const state = transactionStateFromStatus(value.transactionStatus);
  if (state === undefined) throw new ProtocolDecodeError(`transaction status ${value.transactionStatus} is no state Kafka defines (0-7)`);
  const partitions: TopicPartitionRef[] = [];
  for (const { topic, partitionIds } of value.transactionPartitions ?? []) {
    for (const partition of partitionIds) partitions.push({ topic, partition });
  }
  return {
    producerId: value.producerId,
    producerEpoch: value.producerEpoch,
    transactionTimeoutMs: value.transactionTimeoutMs,
    state,
    partitions,
    lastUpdateTimestampMs: value.transactionLastUpdateTimestampMs,
    startTimestampMs: value.transactionStartTimestampMs,
  };
}

/**
 * Decodes one record of __transaction_state from its key and value bytes
 * (value null: a tombstone). A value of a version above the newest we know is
 * read as the newest. Throws ProtocolDecodeError for bytes that are no
 * version of the record or a status Kafka does not define.
 */
export function decodeTransactionLogRecord(key: Buffer, value: Buffer | null): TransactionLogRecord {
  const { transactionalId } = keys.decode(key).message;
  return { transactionalId, value: value === null ? null : decodeValue(value) };
}
