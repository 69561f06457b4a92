import type { TopicPartition } from '../consumer/index.js';
import type { OffsetsByTopicPartition } from './types-consumer.js';
import type { Offsets } from './types-producer.js';

export interface AutoCommitPolicy {
  autoCommit: boolean;
  /** Commit when this many ms have passed since the last commit; null: not by time. */
  autoCommitInterval: number | null;
  /** Commit when this many messages are resolved but not committed; null: not by count. */
  autoCommitThreshold: number | null;
}

export type OffsetToCommit = TopicPartition & { offset: bigint };

/**
 * kafkajs's resolved-offset bookkeeping: a message is resolved when the
 * application is done with it (eachMessage returned, or eachBatch called
 * resolveOffset); commits carry the next offset after the last resolved
 * one. Not thread-safe: owned by one KafkaJSConsumer.
 */
export class ResolvedOffsets {
  readonly #policy: AutoCommitPolicy;
  /** Per partition: the next offset to commit (last resolved + 1) and the last committed one. */
  readonly #partitions = new Map<string, { topic: string; partition: number; resolved: bigint; committed: bigint | null }>();
  #lastCommit = Date.now();
  #resolvedSinceCommit = 0;

  constructor(policy: AutoCommitPolicy) {
    this.#policy = policy;
  }

  resolve(topic: string, partition: number, offset: bigint): void {
    this.#resolvedSinceCommit++;
    const id = `${topic}\u0000${partition}`;
    const entry = this.#partitions.get(id);
    if (entry === undefined) this.#partitions.set(id, { topic, partition, resolved: offset + 1n, committed: null });
    else entry.resolved = offset + 1n;
  }

  /** The next offset to read after what was resolved, if anything was. */
  next(topic: string, partition: number): bigint | undefined {
    return this.#partitions.get(`${topic}\u0000${partition}`)?.resolved;
  }

  /** Resolved past the last commit, optionally only for `partitions`. */
  uncommitted(partitions?: readonly TopicPartition[]): OffsetToCommit[] {
    const wanted = partitions === undefined ? undefined : new Set(partitions.map((p) => `${p.topic}\u0000${p.partition}`));
    const offsets: OffsetToCommit[] = [];
    for (const [id, { topic, partition, resolved, committed }] of this.#partitions) {
      if (resolved !== committed && (wanted === undefined || wanted.has(id))) offsets.push({ topic, partition, offset: resolved });
    }
    return offsets;
  }

  /** kafkajs's shape of `uncommitted()`. */
  uncommittedByTopic(): OffsetsByTopicPartition {
    return { topics: offsetsByTopic(this.uncommitted()) };
  }

  /** Whether the auto-commit policy asks for a commit now. */
  commitDue(): boolean {
    const { autoCommit, autoCommitInterval, autoCommitThreshold } = this.#policy;
    if (!autoCommit) return false;
    if (autoCommitInterval === null && autoCommitThreshold === null) return true;
    if (autoCommitInterval !== null && Date.now() >= this.#lastCommit + autoCommitInterval) return true;
    return autoCommitThreshold !== null && this.#resolvedSinceCommit >= autoCommitThreshold;
  }

  committed(offsets: readonly OffsetToCommit[]): void {
    for (const { topic, partition, offset } of offsets) {
      const id = `${topic}\u0000${partition}`;
      const entry = this.#partitions.get(id);
      if (entry === undefined) this.#partitions.set(id, { topic, partition, resolved: offset, committed: offset });
      else entry.committed = offset;
    }
    this.#lastCommit = Date.now();
    this.#resolvedSinceCommit = 0;
  }

  /** Forgets partitions this member no longer owns, so their stale positions are never committed. */
  forget(partitions: readonly TopicPartition[]): void {
    for (const { topic, partition } of partitions) this.#partitions.delete(`${topic}\u0000${partition}`);
  }
}

/** kafkajs's Offsets (commitOffsetsIfNecessary's argument) as offsets to commit. */
export function offsetsOf(offsets: Offsets): OffsetToCommit[] {
  return offsets.topics.flatMap(({ topic, partitions }) => partitions.map(({ partition, offset }) => ({ topic, partition, offset: BigInt(offset) })));
}

/** Offsets grouped by topic, offsets as strings: kafkajs's TopicOffsets[]. */
export function offsetsByTopic(offsets: readonly OffsetToCommit[]): { topic: string; partitions: { partition: number; offset: string }[] }[] {
  const topics = new Map<string, { partition: number; offset: string }[]>();
  for (const { topic, partition, offset } of offsets) {
    const list = topics.get(topic);
    const entry = { partition, offset: String(offset) };
    if (list === undefined) topics.set(topic, [entry]);
    else list.push(entry);
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}
