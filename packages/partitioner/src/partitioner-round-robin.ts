import { toPositive } from './murmur2.js';
import { requirePartitions, type Partitioner, type TopicPartitions } from './partitioner.js';

/**
 * Kafka's RoundRobinPartitioner: each topic has its own counter, and record
 * after record goes to the next available partition, so writes spread evenly
 * one by one. When no partition is available it cycles over all of them
 * rather than fail; the producer then waits for a leader. Keys are ignored,
 * as in Kafka; use it through DefaultPartitioner to hash keyed records.
 */
export class RoundRobinPartitioner implements Partitioner {
  readonly #counters = new Map<string, number>();

  partition(topic: TopicPartitions): number {
    requirePartitions(topic);
    const counter = this.#counters.get(topic.topic) ?? 0;
    // Wraps as Java's int counter does, and toPositive keeps the index valid after the wrap.
    this.#counters.set(topic.topic, (counter + 1) | 0);
    const available = topic.availablePartitions;
    if (available.length > 0) return available[toPositive(counter) % available.length]!;
    return toPositive(counter) % topic.partitionCount;
  }

  /** Round-robin keeps no current partition, so a closed batch changes nothing. */
  onNewBatch(): void {}
}
