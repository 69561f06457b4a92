import { PartitionOutOfRangeError } from './errors.js';
import type { RecordKey } from './partition-for-key.js';

/** What a partitioner is told about a topic when it picks a partition, from the producer's metadata. */
export interface TopicPartitions {
  readonly topic: string;
  /** The topic has partitions 0 .. partitionCount - 1. */
  readonly partitionCount: number;
  /** The partitions that have a leader now, in partition order; only these can take writes. */
  readonly availablePartitions: readonly number[];
}

/**
 * Picks the partition for records that name none, as the Java client's
 * `Partitioner`. The producer calls `partition` for each such record and
 * `onNewBatch` when it closes a batch (full, or sent because linger expired),
 * so a partitioner can move on from the partition it has been filling.
 * Not thread-safe: one producer owns it.
 */
export interface Partitioner {
  partition(topic: TopicPartitions, key: RecordKey | null | undefined): number;
  /**
   * `prevPartition` is the closed batch's partition; a partitioner that keeps
   * a current partition moves on only if it is that one, so a closed batch of
   * keyed records does not move it.
   */
  onNewBatch(topic: string, prevPartition?: number): void;
}

/** The fields of a producer record that decide its partition. */
export interface PartitionedRecord {
  readonly partition?: number | null | undefined;
  readonly key?: RecordKey | null | undefined;
}

/**
 * The partition a record goes to: its explicit partition if it names one
 * (checked against the topic's partition count, as the Java producer does
 * before sending), otherwise the partitioner's choice.
 */
export function partitionForRecord(topic: TopicPartitions, record: PartitionedRecord, partitioner: Partitioner): number {
  requirePartitions(topic);
  const explicit = record.partition;
  if (explicit === null || explicit === undefined) return partitioner.partition(topic, record.key);
  if (!Number.isInteger(explicit) || explicit < 0 || explicit >= topic.partitionCount) {
    throw new PartitionOutOfRangeError(topic.topic, explicit, topic.partitionCount);
  }
  return explicit;
}

/** Refuses a topic the producer knows no partitions of: there is nothing to choose from. */
export function requirePartitions(topic: TopicPartitions): void {
  if (topic.partitionCount < 1) {
    throw new RangeError(`No partitions known for topic "${topic.topic}"; refresh its metadata before producing.`);
  }
}
