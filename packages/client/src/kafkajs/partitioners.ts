import { DefaultPartitioner as JavaDefaultPartitioner, RoundRobinPartitioner, keyBytes, murmur2, toPositive, type Partitioner, type TopicPartitions } from '@kstream/partitioner';
import { legacyMurmur2 } from './legacy-murmur2.js';
import type { Message } from './types-producer.js';

export type PartitionMetadata = {
  partitionErrorCode: number;
  partitionId: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas?: number[];
};

export interface PartitionerArgs {
  topic: string;
  partitionMetadata: PartitionMetadata[];
  message: Message;
}

export type ICustomPartitioner = () => (args: PartitionerArgs) => number;
export type DefaultPartitioner = ICustomPartitioner;
export type LegacyPartitioner = ICustomPartitioner;

type KeyHash = (key: Uint8Array) => number;

// kafkajs's two partitioners differ only in the key hash: a key goes to
// hash % partition count (all partitions, so a key never moves while a
// leader is missing); a record without a key goes round-robin over the
// partitions that have a leader.
function kafkajsPartitioner(hash: KeyHash): ICustomPartitioner {
  return () => {
    const counters = new Map<string, number>();
    return ({ topic, partitionMetadata, message }) => {
      if (message.partition !== null && message.partition !== undefined) return message.partition;
      if (message.key !== null && message.key !== undefined) {
        return toPositive(hash(keyBytes(message.key))) % partitionMetadata.length;
      }
      const counter = counters.get(topic) ?? 0;
      counters.set(topic, (counter + 1) | 0);
      const available = partitionMetadata.filter((p) => p.leader >= 0);
      if (available.length > 0) return available[toPositive(counter) % available.length]!.partitionId;
      return toPositive(counter) % partitionMetadata.length;
    };
  };
}

/** The legacy hash for keys, round-robin for the rest: kafkajs 1.x's default. */
class LegacyKafkajsPartitioner implements Partitioner {
  readonly #nullKeys = new RoundRobinPartitioner();

  partition(topic: TopicPartitions, key: Uint8Array | string | null | undefined): number {
    if (key === null || key === undefined) return this.#nullKeys.partition(topic);
    return toPositive(legacyMurmur2(keyBytes(key))) % topic.partitionCount;
  }

  onNewBatch(): void {}
}

const defaultPartitioner: DefaultPartitioner = kafkajsPartitioner(murmur2);
const legacyPartitioner: LegacyPartitioner = kafkajsPartitioner(legacyMurmur2);

/**
 * kafkajs's partitioners. Each is a real kafkajs partitioner factory, and
 * the producer recognises these two and uses the client's own partitioner
 * in their place (no per-record metadata objects): DefaultPartitioner is
 * Java's murmur2 with round-robin for unkeyed records (the Java 2.3 /
 * kafkajs behaviour, not Java 2.4's sticky one), LegacyPartitioner is
 * kafkajs 1.x's float murmur2 (legacy-murmur2.ts) with the same round-robin.
 */
export const Partitioners: {
  DefaultPartitioner: DefaultPartitioner;
  LegacyPartitioner: LegacyPartitioner;
  /** @deprecated Use DefaultPartitioner instead: kafkajs renamed it in 2.0.0. */
  JavaCompatiblePartitioner: DefaultPartitioner;
} = {
  DefaultPartitioner: defaultPartitioner,
  LegacyPartitioner: legacyPartitioner,
  JavaCompatiblePartitioner: defaultPartitioner,
};

/** Whether the producer uses the client's own partitioner for `createPartitioner` (kafkajs's two, or none given). */
export function isBuiltInPartitioner(createPartitioner: ICustomPartitioner | undefined): boolean {
  return createPartitioner === undefined || createPartitioner === defaultPartitioner || createPartitioner === legacyPartitioner;
}

/** The client's own partitioner for one of kafkajs's, or undefined for a custom one. */
export function nativePartitionerFor(createPartitioner: ICustomPartitioner | undefined): Partitioner | undefined {
  if (createPartitioner === undefined || createPartitioner === defaultPartitioner) {
    return new JavaDefaultPartitioner({ nullKeys: new RoundRobinPartitioner() });
  }
  if (createPartitioner === legacyPartitioner) return new LegacyKafkajsPartitioner();
  return undefined;
}
