/** A record to send. `key` and `value` go through the producer's serializers; null stays null (a value of null is a tombstone). */
export interface ProducerRecord<K = Buffer, V = Buffer> {
  topic: string;
  key?: K | null;
  value: V | null;
  /** Sends to this partition; otherwise the partitioner chooses (murmur2 of the key, sticky without one). */
  partition?: number;
  /** Milliseconds since the epoch; defaults to the time of send(). */
  timestamp?: number;
  headers?: Readonly<Record<string, string | Buffer>> | readonly { key: string; value: string | Buffer | null }[];
}

/** Where a record was written. `offset` is -1n for acks=0, as Kafka reports it: no answer comes back. */
export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: bigint;
  /** The broker's append time for a LogAppendTime topic, otherwise the record's timestamp. */
  timestamp: number;
}

/** Kafka's acks: 0 (no answer), 1 (the leader wrote it), -1 or 'all' (every in-sync replica has it). */
export type Acks = 0 | 1 | -1 | 'all';

/** Kafka's compression.type values a producer can write. */
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
