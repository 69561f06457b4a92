import { describe, expect, it } from 'vitest';
import type { TopicPartitions } from './partitioner.js';
import { StickyPartitioner } from './partitioner-sticky.js';

function topic(partitionCount: number, availablePartitions = [...Array(partitionCount).keys()], name = 't'): TopicPartitions {
  return { topic: name, partitionCount, availablePartitions };
}

describe('StickyPartitioner', () => {
  it('sticksToOnePartitionUntilTheBatchCloses', () => {
    const partitioner = new StickyPartitioner();
    const t = topic(6);
    const first = partitioner.partition(t);
    for (let i = 0; i < 100; i++) expect(partitioner.partition(t)).toBe(first);

    partitioner.onNewBatch('t', first);
    const second = partitioner.partition(t);
    expect(second).not.toBe(first);
    for (let i = 0; i < 100; i++) expect(partitioner.partition(t)).toBe(second);
  });

  it('movesToADifferentPartitionAfterEveryBatch', () => {
    const partitioner = new StickyPartitioner();
    const t = topic(2);
    let previous = partitioner.partition(t);
    for (let batch = 0; batch < 200; batch++) {
      partitioner.onNewBatch('t', previous);
      const next = partitioner.partition(t);
      expect(next).not.toBe(previous);
      previous = next;
    }
  });

  it('spreadsOverAllPartitionsOverManyBatches', () => {
    const partitioner = new StickyPartitioner();
    const t = topic(6);
    const batches = new Array<number>(6).fill(0);
    for (let batch = 0; batch < 3000; batch++) {
      const partition = partitioner.partition(t);
      batches[partition]!++;
      partitioner.onNewBatch('t', partition);
    }
    // 500 expected each; the standard deviation is about 20.
    for (const count of batches) expect(count).toBeGreaterThan(380);
    for (const count of batches) expect(count).toBeLessThan(620);
  });

  it('choosesOnlyAvailablePartitions', () => {
    const partitioner = new StickyPartitioner();
    const t = topic(6, [1, 4]);
    const seen = new Set<number>();
    for (let batch = 0; batch < 100; batch++) {
      const partition = partitioner.partition(t);
      seen.add(partition);
      partitioner.onNewBatch('t', partition);
    }
    expect([...seen].sort()).toEqual([1, 4]);
  });

  it('staysOnTheOnlyAvailablePartition', () => {
    const partitioner = new StickyPartitioner();
    const t = topic(6, [5]);
    for (let batch = 0; batch < 10; batch++) {
      expect(partitioner.partition(t)).toBe(5);
      partitioner.onNewBatch('t', 5);
    }
  });

  it('noPartitionAvailableStillChoosesOneOfTheTopics', () => {
    const partitioner = new StickyPartitioner();
    const t = topic(3, []);
    for (let batch = 0; batch < 50; batch++) {
      const partition = partitioner.partition(t);
      expect([0, 1, 2]).toContain(partition);
      partitioner.onNewBatch('t', partition);
    }
  });

  it('closedBatchOnAnotherPartitionDoesNotMoveIt', () => {
    const partitioner = new StickyPartitioner();
    const t = topic(6);
    const sticky = partitioner.partition(t);
    partitioner.onNewBatch('t', (sticky + 1) % 6);
    expect(partitioner.partition(t)).toBe(sticky);
    partitioner.onNewBatch('t');
    expect(partitioner.partition(t)).not.toBe(sticky);
  });

  it('topicsStickIndependently', () => {
    // A seeded sequence makes both topics start on partition 0.
    const partitioner = new StickyPartitioner({ random: () => 0 });
    const a = topic(4, undefined, 'a');
    const b = topic(4, undefined, 'b');
    expect(partitioner.partition(a)).toBe(0);
    expect(partitioner.partition(b)).toBe(0);
    partitioner.onNewBatch('a', 0);
    expect(partitioner.partition(a)).toBe(1);
    expect(partitioner.partition(b)).toBe(0);
  });
});
