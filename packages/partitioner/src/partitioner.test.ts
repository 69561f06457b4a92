import { describe, expect, it } from 'vitest';
import { PartitionOutOfRangeError } from './errors.js';
import { partitionForRecord, type TopicPartitions } from './partitioner.js';
import { DefaultPartitioner } from './partitioner-default.js';

const orders: TopicPartitions = { topic: 'orders', partitionCount: 4, availablePartitions: [0, 1, 2, 3] };

describe('partitionForRecord', () => {
  it('explicitPartitionWinsOverKey', () => {
    const partitioner = new DefaultPartitioner();
    expect(partitionForRecord(orders, { partition: 3, key: '21' }, partitioner)).toBe(3);
    expect(partitionForRecord(orders, { partition: 0, key: null }, partitioner)).toBe(0);
  });

  it('explicitPartitionMayBeUnavailable', () => {
    // The record waits for a leader, as with the Java producer; it is not rerouted.
    const leaderless: TopicPartitions = { ...orders, availablePartitions: [0, 1] };
    expect(partitionForRecord(leaderless, { partition: 3 }, new DefaultPartitioner())).toBe(3);
  });

  it.each([4, 17, -1, 1.5, Number.NaN])('explicitPartitionOutOfRange %s', (partition) => {
    const attempt = () => partitionForRecord(orders, { partition }, new DefaultPartitioner());
    expect(attempt).toThrow(PartitionOutOfRangeError);
    expect(attempt).toThrow(`topic "orders": ${partition} is not in the range [0...4)`);
  });

  it('noPartitionsKnown', () => {
    const unknown: TopicPartitions = { topic: 'fresh', partitionCount: 0, availablePartitions: [] };
    expect(() => partitionForRecord(unknown, { key: 'k' }, new DefaultPartitioner())).toThrow('No partitions known for topic "fresh"');
  });

  it('keyedRecordGoesToItsMurmur2Partition', () => {
    const ten: TopicPartitions = { topic: 't', partitionCount: 10, availablePartitions: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] };
    // Java gives "foobar" partition 6 of 10 (see murmur2.test.ts).
    expect(partitionForRecord(ten, { key: 'foobar' }, new DefaultPartitioner())).toBe(6);
  });
});
