import { describe, expect, it } from 'vitest';
import type { TopicPartitions } from './partitioner.js';
import { DefaultPartitioner } from './partitioner-default.js';
import { RoundRobinPartitioner } from './partitioner-round-robin.js';

const allUp: TopicPartitions = { topic: 't', partitionCount: 10, availablePartitions: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] };

describe('DefaultPartitioner', () => {
  it('keyStaysOnItsPartitionWhenThatPartitionIsUnavailable', () => {
    // "21" hashes to partition 0 of 10; a missing leader must not move a key.
    const partition0Down: TopicPartitions = { ...allUp, availablePartitions: [1, 2, 3, 4, 5, 6, 7, 8, 9] };
    const partitioner = new DefaultPartitioner();
    expect(partitioner.partition(allUp, '21')).toBe(0);
    expect(partitioner.partition(partition0Down, '21')).toBe(0);
  });

  it('nullKeysAreStickyByDefault', () => {
    const partitioner = new DefaultPartitioner();
    const first = partitioner.partition(allUp, null);
    for (let i = 0; i < 50; i++) expect(partitioner.partition(allUp, undefined)).toBe(first);
    partitioner.onNewBatch('t', first);
    expect(partitioner.partition(allUp, null)).not.toBe(first);
  });

  it('closedBatchOfKeyedRecordsDoesNotMoveTheStickyPartition', () => {
    const partitioner = new DefaultPartitioner();
    const sticky = partitioner.partition(allUp, null);
    const keyed = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].find((p) => p !== sticky)!;
    partitioner.onNewBatch('t', keyed);
    expect(partitioner.partition(allUp, null)).toBe(sticky);
  });

  it('nullKeysRoundRobinAsJava23AndKafkajs', () => {
    const partitioner = new DefaultPartitioner({ nullKeys: new RoundRobinPartitioner() });
    expect([0, 1, 2].map(() => partitioner.partition(allUp, null))).toEqual([0, 1, 2]);
    expect(partitioner.partition(allUp, 'foobar')).toBe(6);
    expect(partitioner.partition(allUp, null)).toBe(3);
  });
});
