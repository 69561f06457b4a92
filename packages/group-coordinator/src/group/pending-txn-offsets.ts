import type { OffsetAndMetadataAt } from '../records/index.js';
import { GroupPartitionMap } from './offset-store.js';

/**
 * A shard's pending transactional offsets (Kafka's
 * pendingTransactionalOffsets): per producer id, the offsets its open
 * transaction wrote with TxnOffsetCommit — in the log, but not committed
 * until the transaction's COMMIT marker, and dropped by its ABORT. It also
 * knows which partitions of a group have any, for OffsetFetch's requireStable
 * and for expiry. Owned by the broker's loop, like the shard that holds it.
 */
export class PendingTxnOffsets {
  private readonly byProducer = new Map<bigint, GroupPartitionMap<OffsetAndMetadataAt>>();
  /** The producers with a pending offset, by group, topic and partition. */
  private readonly producersAt = new GroupPartitionMap<Set<bigint>>();

  /** The producer's offset of the partition; a later one of the same transaction replaces it. */
  add(producerId: bigint, group: string, topic: string, partition: number, value: OffsetAndMetadataAt): void {
    let offsets = this.byProducer.get(producerId);
    if (offsets === undefined) this.byProducer.set(producerId, (offsets = new GroupPartitionMap()));
    offsets.set(group, topic, partition, value);
    let producers = this.producersAt.get(group, topic, partition);
    if (producers === undefined) this.producersAt.set(group, topic, partition, (producers = new Set()));
    producers.add(producerId);
  }

  /** Whether an open transaction has an offset of the partition. */
  has(group: string, topic: string, partition: number): boolean {
    return this.producersAt.get(group, topic, partition) !== undefined;
  }

  /** The partitions of the group some open transaction has an offset of. */
  *partitionsOf(group: string): Generator<readonly [topic: string, partition: number]> {
    for (const [topic, partition] of this.producersAt.entries(group)) yield [topic, partition];
  }

  /** Drops every open transaction's offset of the partition: a tombstone of it was written. */
  deletePartition(group: string, topic: string, partition: number): void {
    for (const producerId of this.producersAt.get(group, topic, partition) ?? []) {
      const offsets = this.byProducer.get(producerId)!;
      offsets.delete(group, topic, partition);
      if (!offsets.hasAny()) this.byProducer.delete(producerId);
    }
    this.producersAt.delete(group, topic, partition);
  }

  /** Whether an open transaction has an offset of the group. */
  hasGroup(group: string): boolean {
    return this.producersAt.hasGroup(group);
  }

  /** Removes the producer's offsets and returns them as [group, topic, partition, value]; none when it has none. */
  take(producerId: bigint): (readonly [group: string, topic: string, partition: number, value: OffsetAndMetadataAt])[] {
    const offsets = this.byProducer.get(producerId);
    if (offsets === undefined) return [];
    this.byProducer.delete(producerId);
    const taken: (readonly [string, string, number, OffsetAndMetadataAt])[] = [];
    for (const group of [...offsets.groups()]) {
      for (const [topic, partition, value] of offsets.entries(group)) {
        taken.push([group, topic, partition, value]);
        const producers = this.producersAt.get(group, topic, partition)!;
        producers.delete(producerId);
        if (producers.size === 0) this.producersAt.delete(group, topic, partition);
      }
    }
    return taken;
  }
}
