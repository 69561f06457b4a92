import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packMetadataBatch, unpackMetadataBatch } from './metadata-batch.js';
import { parseMetadataRecord } from './metadata-records.js';
import type { PartitionRecord } from './metadata-records.js';
import { partitionStateOf } from './metadata-state.js';

const parse = (value: unknown) => parseMetadataRecord(value, 'metadata.log', 7);

describe('parseMetadataRecord', () => {
  it('topicRecords round-trip their fields', () => {
    const partition = {
      type: 'Partition',
      topicId: 'id',
      partition: 1,
      replicas: [4, 2, 1],
      isr: [2],
      leader: 2,
      leaderEpoch: 3,
      partitionEpoch: 4,
      addingReplicas: [4],
      removingReplicas: [1],
    };
    expect(parse(partition)).toEqual(partition);
    expect(parse({ type: 'Config', resourceType: 'broker', resourceName: '', name: 'k', value: null })).toEqual({
      type: 'Config',
      resourceType: 'broker',
      resourceName: '',
      name: 'k',
      value: null,
    });
    expect(parse({ type: 'RemoveTopic', topicId: 'id', extra: 1 })).toEqual({ type: 'RemoveTopic', topicId: 'id' });
  });

  it('partitionWithoutReassignmentFields: a record written before reassignments existed parses as written, and its state has none adding or removing', () => {
    const old = { type: 'Partition', topicId: 'id', partition: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 } as const;
    expect(parse(old)).toStrictEqual(old);
    expect(partitionStateOf(parse(old) as PartitionRecord)).toMatchObject({ addingReplicas: [], removingReplicas: [] });
    expect(() => parse({ ...old, removingReplicas: null })).toThrow('Partition.removingReplicas is not a list of integers');
    expect(() => parse({ ...old, addingReplicas: [1.5] })).toThrow('Partition.addingReplicas is not a list of integers');
  });

  it('malformed fields name the record offset and the field', () => {
    expect(() => parse({ type: 'Partition', topicId: 'id', partition: 0, replicas: [1, 'x'], isr: [], leader: 1, leaderEpoch: 0, partitionEpoch: 0 })).toThrow(
      'metadata.log: record at offset 7 is not a metadata record: Partition.replicas is not a list of integers',
    );
    expect(() => parse({ type: 'Config', resourceType: 'group', resourceName: 'g', name: 'k', value: 'v' })).toThrow('Config.resourceType "group" is neither "topic" nor "broker"');
    expect(() => parse({ type: 'Config', resourceType: 'topic', resourceName: 't', name: 'k', value: 5 })).toThrow('Config.value is neither a string nor null');
    expect(() => parse({ type: 'Topic', name: 't' })).toThrow('Topic.topicId is not a string');
  });
});

describe('ProducerIds record', () => {
  const INT64_MAX = 2n ** 63n - 1n;

  it('int64RoundTrip: any next producer id up to 2^63-1 survives the log frame as a bigint', async () => {
    await fc.assert(
      fc.asyncProperty(fc.bigInt({ min: 0n, max: INT64_MAX }), fc.nat(), fc.nat(), async (nextProducerId, brokerId, brokerEpoch) => {
        const record = { type: 'ProducerIds', brokerId, brokerEpoch, nextProducerId } as const;
        expect(unpackMetadataBatch(await packMetadataBatch([record]), 'metadata.log', 0)).toEqual([record]);
        expect(unpackMetadataBatch(await packMetadataBatch([record, record]), 'metadata.log', 0)).toEqual([record, record]);
      }),
    );
  });

  it('notAnInt64: a number, a negative or an oversized id is refused with the field named', () => {
    const base = { type: 'ProducerIds', brokerId: 1, brokerEpoch: 3 };
    for (const nextProducerId of [1000, -1n, INT64_MAX + 1n, '1000']) {
      expect(() => parse({ ...base, nextProducerId })).toThrow('ProducerIds.nextProducerId is not a non-negative int64');
    }
    expect(() => parse({ type: 'ProducerIds', brokerId: 1, nextProducerId: 1000n })).toThrow('ProducerIds.brokerEpoch is not an integer');
  });
});
