import { requirePartitions, type Partitioner, type TopicPartitions } from './partitioner.js';

/**
 * KIP-480's sticky partitioner, the Java client's choice for records without
 * a key: every such record for a topic goes to one partition until the batch
 * there is closed, then to a different, randomly chosen available partition.
 * Batches fill faster than when each record goes elsewhere, so there are
 * fewer, larger requests, and over many batches the load is still uniform.
 * Keys are ignored, as in Kafka's UniformStickyPartitioner; use it through
 * DefaultPartitioner to hash keyed records.
 */
export class StickyPartitioner implements Partitioner {
  readonly #current = new Map<string, number>();
  /** The partition a topic just left, which the next choice avoids. */
  readonly #previous = new Map<string, number>();
  readonly #random: () => number;

  /** `random` returns a number in [0, 1); tests may pass a seeded one. */
  constructor({ random = Math.random }: { random?: () => number } = {}) {
    this.#random = random;
  }

  partition(topic: TopicPartitions): number {
    requirePartitions(topic);
    const current = this.#current.get(topic.topic);
    if (current !== undefined) return current;
    const next = this.#choose(topic, this.#previous.get(topic.topic));
    this.#current.set(topic.topic, next);
    this.#previous.delete(topic.topic);
    return next;
  }

  onNewBatch(topic: string, prevPartition?: number): void {
    const current = this.#current.get(topic);
    if (current === undefined || (prevPartition !== undefined && prevPartition !== current)) return;
    this.#current.delete(topic);
    this.#previous.set(topic, current);
  }

  #choose(topic: TopicPartitions, avoid: number | undefined): number {
    const available = topic.availablePartitions;
    if (available.length === 0) return Math.floor(this.#random() * topic.partitionCount);
    const candidates = available.length > 1 && avoid !== undefined ? available.filter((p) => p !== avoid) : available;
    return candidates[Math.floor(this.#random() * candidates.length)]!;
  }
}
