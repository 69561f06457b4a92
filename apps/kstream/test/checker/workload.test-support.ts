// What the fault run's producers share: keys that land on each partition
// (murmur2, as every client picks), unique values, and the way an answer
// becomes an outcome in the history.
import { partitionForKey } from '@kstream/partitioner';
import type { ProduceOutcome } from './history.test-support.js';

export interface Workload {
  /** Stops starting operations; resolves once every operation in flight has completed and been recorded. */
  stop(): Promise<void>;
}

/** `perPartition` keys for each of `partitions` partitions, each mapping there by murmur2. */
export function keysByPartition(partitions: number, perPartition = 4): string[][] {
  const keys: string[][] = Array.from({ length: partitions }, () => []);
  for (let n = 0; keys.some((k) => k.length < perPartition); n++) {
    const key = `key-${n}`;
    const bucket = keys[partitionForKey(key, partitions)]!;
    if (bucket.length < perPartition) bucket.push(key);
  }
  return keys;
}

/**
 * Errors a broker answers before appending anything. Everything else is
 * indeterminate: REQUEST_TIMED_OUT and NOT_ENOUGH_REPLICAS_AFTER_APPEND
 * follow an append, and so can NOT_LEADER_OR_FOLLOWER, which Kafka's
 * DelayedProduce answers when leadership moves while an appended batch waits
 * for the ISR (Partition.checkEnoughReplicasReachOffset).
 */
const REFUSED_BEFORE_APPEND = new Set(['NOT_ENOUGH_REPLICAS', 'UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

export function outcomeOfError(error: string): ProduceOutcome {
  return REFUSED_BEFORE_APPEND.has(error) ? { kind: 'definite', error } : { kind: 'indeterminate', error };
}
