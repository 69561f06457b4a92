import { partitionForKey, type RecordKey } from './partition-for-key.js';
import { requirePartitions, type Partitioner, type TopicPartitions } from './partitioner.js';
import { StickyPartitioner } from './partitioner-sticky.js';

/**
 * The Java client's default: a keyed record goes to its murmur2 partition,
 * a record without a key to the `nullKeys` partitioner — sticky by default
 * (KIP-480, Java 2.4+); round-robin gives the Java 2.3 / kafkajs behaviour.
 */
export class DefaultPartitioner implements Partitioner {
  readonly #nullKeys: Partitioner;

  constructor({ nullKeys = new StickyPartitioner() }: { nullKeys?: Partitioner } = {}) {
    this.#nullKeys = nullKeys;
  }

  partition(topic: TopicPartitions, key: RecordKey | null | undefined): number {
    requirePartitions(topic);
    if (key === null || key === undefined) return this.#nullKeys.partition(topic, key);
    return partitionForKey(key, topic.partitionCount);
  }

  onNewBatch(topic: string, prevPartition?: number): void {
    this.#nullKeys.onNewBatch(topic, prevPartition);
  }
}
