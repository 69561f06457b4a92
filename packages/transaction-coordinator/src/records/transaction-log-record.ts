// The records of __transaction_state as the coordinator reads and writes them:
// one record per transactional id, keyed by the id, its value the id's whole
// transaction metadata as of the write (Kafka's TransactionLogValue). The last
// value of a key wins; a tombstone (value null) is an id that expired.
import type { TopicPartitionRef } from '../coordinator-types.js';
import type { TransactionState } from './transaction-state.js';

export interface TransactionLogValue {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly transactionTimeoutMs: number;
  readonly state: TransactionState;
  /** The partitions of the transaction, in the order written; empty for Empty and Complete* (Kafka writes null for Empty). */
  readonly partitions: readonly TopicPartitionRef[];
  readonly lastUpdateTimestampMs: bigint;
  /** -1n: no transaction started. */
  readonly startTimestampMs: bigint;
}

export interface TransactionLogRecord {
  readonly transactionalId: string;
  readonly value: TransactionLogValue | null;
}
