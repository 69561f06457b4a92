import type { OffsetAndMetadataAt } from '../records/index.js';

/**
 * Values by group, then topic, then partition: a coordinator shard's committed
 * offsets (and its count of commits in flight per partition). Owned by the
 * broker's loop, like the shard that holds it.
 */
export class GroupPartitionMap<V> {
  private readonly byGroup = new Map<string, Map<string, Map<number, V>>>();

  get(group: string, topic: string, partition: number): V | undefined {
    return this.byGroup.get(group)?.get(topic)?.get(partition);
  }

  set(group: string, topic: string, partition: number, value: V): void {
    let topics = this.byGroup.get(group);
    if (topics === undefined) this.byGroup.set(group, (topics = new Map()));
    let partitions = topics.get(topic);
    if (partitions === undefined) topics.set(topic, (partitions = new Map()));
    partitions.set(partition, value);
  }

  delete(group: string, topic: string, partition: number): void {
    const topics = this.byGroup.get(group);
    const partitions = topics?.get(topic);
    if (topics === undefined || partitions === undefined) return;
    partitions.delete(partition);
    if (partitions.size === 0) topics.delete(topic);
    if (topics.size === 0) this.byGroup.delete(group);
  }

  deleteGroup(group: string): void {
    this.byGroup.delete(group);
  }

  hasGroup(group: string): boolean {
    return this.byGroup.has(group);
  }

  hasAny(): boolean {
    return this.byGroup.size > 0;
  }

  groups(): IterableIterator<string> {
    return this.byGroup.keys();
  }

  /** The group's entries, topic by topic in insertion order. */
  *entries(group: string): Generator<readonly [topic: string, partition: number, value: V]> {
    for (const [topic, partitions] of this.byGroup.get(group) ?? []) {
      for (const [partition, value] of partitions) yield [topic, partition, value];
    }
  }

  /** Replaces the group's entries with `topics` (a loaded partition's). */
  setGroup(group: string, topics: Map<string, Map<number, V>>): void {
    for (const [topic, partitions] of topics) {
      for (const [partition, value] of partitions) this.set(group, topic, partition, value);
    }
  }
}

/** A shard's committed offsets, each with the log offset of its record. */
export type OffsetStore = GroupPartitionMap<OffsetAndMetadataAt>;

/** Counts commits written but not yet acknowledged, so expiry leaves those partitions alone (as Kafka's pendingOffsetCommits). */
export class PendingCommits {
  private readonly counts = new GroupPartitionMap<number>();

  add(group: string, topic: string, partition: number): void {
    this.counts.set(group, topic, partition, (this.counts.get(group, topic, partition) ?? 0) + 1);
  }

  remove(group: string, topic: string, partition: number): void {
    const count = this.counts.get(group, topic, partition) ?? 0;
    if (count <= 1) this.counts.delete(group, topic, partition);
    else this.counts.set(group, topic, partition, count - 1);
  }

  has(group: string, topic: string, partition: number): boolean {
    return this.counts.get(group, topic, partition) !== undefined;
  }
}
