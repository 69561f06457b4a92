import { describe, expect, it } from 'vitest';
import { MetadataState } from './metadata-state.js';
import { snapshotRecords } from './metadata-snapshot.js';

describe('MetadataState', () => {
  it('registerThenFence: a fence marks the registered incarnation dead', () => {
    const state = new MetadataState();
    state.apply({ type: 'ClusterId', clusterId: 'c' });
    state.apply({ type: 'RegisterBroker', brokerId: 1, brokerEpoch: 1, host: 'h', port: 1 });
    state.apply({ type: 'FenceBroker', brokerId: 1, brokerEpoch: 1, reason: 'r' });
    expect(state.clusterId).toBe('c');
    expect(state.broker(1)).toEqual({ brokerId: 1, brokerEpoch: 1, host: 'h', port: 1, fenced: true });
  });

  it('staleFence: a fence for an older epoch leaves the newer registration alive', () => {
    const state = new MetadataState();
    state.apply({ type: 'RegisterBroker', brokerId: 1, brokerEpoch: 1, host: 'h', port: 1 });
    state.apply({ type: 'RegisterBroker', brokerId: 1, brokerEpoch: 5, host: 'h', port: 2 });
    state.apply({ type: 'FenceBroker', brokerId: 1, brokerEpoch: 1, reason: 'r' });
    expect(state.broker(1)).toMatchObject({ brokerEpoch: 5, port: 2, fenced: false });
  });

  it('reregisterUnfences: registering again after a fence makes the broker alive', () => {
    const state = new MetadataState();
    state.apply({ type: 'RegisterBroker', brokerId: 2, brokerEpoch: 1, host: 'h', port: 1 });
    state.apply({ type: 'FenceBroker', brokerId: 2, brokerEpoch: 1, reason: 'r' });
    state.apply({ type: 'RegisterBroker', brokerId: 2, brokerEpoch: 3, host: 'h', port: 1 });
    expect(state.broker(2)?.fenced).toBe(false);
  });
});

describe('MetadataState topics and configs', () => {
  const topicId = '9b8f2d1e-0c1a-4e3b-8a7d-6f5e4d3c2b1a';

  function withTopic(): MetadataState {
    const state = new MetadataState();
    state.apply({ type: 'Topic', name: 't', topicId });
    state.apply({ type: 'Partition', topicId, partition: 0, replicas: [1, 2], isr: [1, 2], leader: 1, leaderEpoch: 0, partitionEpoch: 0 });
    state.apply({ type: 'Config', resourceType: 'topic', resourceName: 't', name: 'retention.ms', value: '5' });
    return state;
  }

  it('views: by name, by id, partition, configs', () => {
    const state = withTopic();
    expect(state.topicByName('t')).toBe(state.topicById(topicId));
    expect(state.partition('t', 0)).toEqual({
      partition: 0,
      replicas: [1, 2],
      isr: [1, 2],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 0,
      addingReplicas: [],
      removingReplicas: [],
    });
    expect(state.partition('t', 1)).toBeUndefined();
    expect(state.configs('topic', 't').get('retention.ms')).toBe('5');
    expect(state.configs('topic', 'other').size).toBe(0);
  });

  it('partitionRecordReplaces: a later record for a partition is its whole new state', () => {
    const state = withTopic();
    state.apply({ type: 'Partition', topicId, partition: 0, replicas: [1, 2], isr: [2], leader: 2, leaderEpoch: 1, partitionEpoch: 1 });
    expect(state.partition('t', 0)).toMatchObject({ isr: [2], leader: 2, leaderEpoch: 1, partitionEpoch: 1 });
  });

  it('reassignmentInProgress: adding and removing replicas as the record sets them, and none once a record leaves them out', () => {
    const state = withTopic();
    const base = { type: 'Partition', topicId, partition: 0, isr: [1, 2], leader: 1, leaderEpoch: 0 } as const;
    state.apply({ ...base, replicas: [2, 3, 1], partitionEpoch: 1, addingReplicas: [3], removingReplicas: [1] });
    expect(state.partition('t', 0)).toMatchObject({ replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1] });
    expect(snapshotRecords(state).find((r) => r.type === 'Partition')).toMatchObject({ addingReplicas: [3], removingReplicas: [1] });
    state.apply({ ...base, replicas: [2, 3], isr: [2, 3], partitionEpoch: 2 });
    expect(state.partition('t', 0)).toMatchObject({ replicas: [2, 3], addingReplicas: [], removingReplicas: [] });
    expect(snapshotRecords(state).find((r) => r.type === 'Partition')).not.toHaveProperty('addingReplicas');
  });

  it('nullConfigDeletes: the key goes back to its default, an emptied resource disappears', () => {
    const state = withTopic();
    state.apply({ type: 'Config', resourceType: 'topic', resourceName: 't', name: 'retention.ms', value: null });
    expect(state.configs('topic', 't').size).toBe(0);
    expect(state.configResources('topic').has('t')).toBe(false);
  });

  it('removeTopic: drops the topic, its partitions and its configs', () => {
    const state = withTopic();
    state.apply({ type: 'RemoveTopic', topicId });
    expect(state.topicByName('t')).toBeUndefined();
    expect(state.topicById(topicId)).toBeUndefined();
    expect(state.configs('topic', 't').size).toBe(0);
  });

  it('inconsistentRecords: a partition gap, an unknown topic id or a second topic of one name are errors', () => {
    const state = withTopic();
    const partition = { type: 'Partition', replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 } as const;
    expect(() => state.apply({ ...partition, topicId, partition: 2 })).toThrow('would leave a gap after its 1 partitions');
    expect(() => state.apply({ ...partition, topicId: 'nope', partition: 0 })).toThrow('names unknown topic id nope');
    expect(() => state.apply({ type: 'Topic', name: 't', topicId: 'x' })).toThrow('already exists');
    expect(() => state.apply({ type: 'RemoveTopic', topicId: 'nope' })).toThrow('unknown topic id nope');
  });

  it('liveBrokerIds: registered and unfenced, ascending', () => {
    const state = new MetadataState();
    state.apply({ type: 'RegisterBroker', brokerId: 3, brokerEpoch: 1, host: 'h', port: 1 });
    state.apply({ type: 'RegisterBroker', brokerId: 1, brokerEpoch: 2, host: 'h', port: 1 });
    state.apply({ type: 'RegisterBroker', brokerId: 2, brokerEpoch: 3, host: 'h', port: 1 });
    state.apply({ type: 'FenceBroker', brokerId: 2, brokerEpoch: 3, reason: 'r' });
    expect(state.liveBrokerIds()).toEqual([1, 3]);
  });
});

describe('MetadataState producer ids', () => {
  it("nextProducerId: zero before any block, then the latest record's", () => {
    const state = new MetadataState();
    expect(state.nextProducerId).toBe(0n);
    expect(state.producerIds).toBeUndefined();
    state.apply({ type: 'ProducerIds', brokerId: 1, brokerEpoch: 4, nextProducerId: 1000n });
    state.apply({ type: 'ProducerIds', brokerId: 2, brokerEpoch: 6, nextProducerId: 2000n });
    expect(state.nextProducerId).toBe(2000n);
  });

  it('producerIdsNeverMoveBack: a record at or below the next id is an error naming both', () => {
    const state = new MetadataState();
    state.apply({ type: 'ProducerIds', brokerId: 1, brokerEpoch: 4, nextProducerId: 2000n });
    expect(() => state.apply({ type: 'ProducerIds', brokerId: 2, brokerEpoch: 6, nextProducerId: 2000n })).toThrow(
      'metadata record ProducerIds for broker 2 moves the next producer id back from 2000 to 2000',
    );
    expect(state.nextProducerId).toBe(2000n);
  });

  it('snapshotKeepsNextProducerId: the snapshot rebuilds the next producer id, and has no record before the first block', () => {
    const state = new MetadataState();
    state.apply({ type: 'ClusterId', clusterId: 'c' });
    expect(snapshotRecords(state).some((r) => r.type === 'ProducerIds')).toBe(false);
    state.apply({ type: 'ProducerIds', brokerId: 1, brokerEpoch: 4, nextProducerId: 1000n });
    state.apply({ type: 'ProducerIds', brokerId: 3, brokerEpoch: 9, nextProducerId: 2000n });
    const rebuilt = new MetadataState();
    for (const record of snapshotRecords(state)) rebuilt.apply(record);
    expect(rebuilt.nextProducerId).toBe(2000n);
    expect(rebuilt.producerIds).toEqual({ type: 'ProducerIds', brokerId: 3, brokerEpoch: 9, nextProducerId: 2000n });
  });
});
