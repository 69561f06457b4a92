import { describe, expect, it } from 'vitest';
import type { TopicPartitions } from './partitioner.js';
import { RoundRobinPartitioner } from './partitioner-round-robin.js';

const next = (partitioner: RoundRobinPartitioner, topic: TopicPartitions, count: number) => Array.from({ length: count }, () => partitioner.partition(topic));

describe('RoundRobinPartitioner', () => {
  it('cyclesOverAllPartitions', () => {
    const t: TopicPartitions = { topic: 't', partitionCount: 3, availablePartitions: [0, 1, 2] };
    expect(next(new RoundRobinPartitioner(), t, 7)).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('skipsUnavailablePartitions', () => {
    const t: TopicPartitions = { topic: 't', partitionCount: 5, availablePartitions: [0, 2, 3] };
    expect(next(new RoundRobinPartitioner(), t, 6)).toEqual([0, 2, 3, 0, 2, 3]);
  });

  it('returningLeaderRejoinsTheCycle', () => {
    const partitioner = new RoundRobinPartitioner();
    const degraded: TopicPartitions = { topic: 't', partitionCount: 3, availablePartitions: [0, 2] };
    const healthy: TopicPartitions = { topic: 't', partitionCount: 3, availablePartitions: [0, 1, 2] };
    expect(next(partitioner, degraded, 2)).toEqual([0, 2]);
    expect(next(partitioner, healthy, 4)).toEqual([2, 0, 1, 2]);
  });

  it('noPartitionAvailableCyclesOverAll', () => {
    const t: TopicPartitions = { topic: 't', partitionCount: 2, availablePartitions: [] };
    expect(next(new RoundRobinPartitioner(), t, 4)).toEqual([0, 1, 0, 1]);
  });

  it('eachTopicHasItsOwnCounter', () => {
    const partitioner = new RoundRobinPartitioner();
    const a: TopicPartitions = { topic: 'a', partitionCount: 3, availablePartitions: [0, 1, 2] };
    const b: TopicPartitions = { topic: 'b', partitionCount: 3, availablePartitions: [0, 1, 2] };
    expect([a, a, b, a, b].map((t) => partitioner.partition(t))).toEqual([0, 1, 0, 2, 1]);
  });

  it('closedBatchDoesNotSkipAPartition', () => {
    const partitioner = new RoundRobinPartitioner();
    const t: TopicPartitions = { topic: 't', partitionCount: 3, availablePartitions: [0, 1, 2] };
    expect(partitioner.partition(t)).toBe(0);
    partitioner.onNewBatch();
    expect(partitioner.partition(t)).toBe(1);
  });
});
