import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControllerFixture, stateView } from './controller.test-support.js';
import { MetadataState, snapshotRecords } from '@kstream/metadata';

const fixture = new ControllerFixture();
beforeEach(() => fixture.setUp());
afterEach(() => fixture.cleanUp());

describe('replay', () => {
  it('reopen: topics, partitions and configs are rebuilt from the metadata log', async () => {
    const first = await fixture.openWithBrokers(3);
    await first.handle({
      type: 'CreateTopics',
      topics: [
        { name: 'kept', numPartitions: 3, replicationFactor: 2, assignments: [], configs: [{ name: 'cleanup.policy', value: 'compact' }] },
        { name: 'gone', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '1' }] },
      ],
      validateOnly: false,
    });
    await first.handle({ type: 'CreatePartitions', topics: [{ name: 'kept', count: 5, assignments: null }], validateOnly: false });
    await first.handle({
      type: 'IncrementalAlterConfigs',
      resources: [
        { resourceType: 'topic', resourceName: 'kept', configs: [{ name: 'segment.ms', operation: 'SET', value: '1000' }] },
        { resourceType: 'broker', resourceName: '', configs: [{ name: 'log.retention.hours', operation: 'SET', value: '1' }] },
        { resourceType: 'broker', resourceName: '2', configs: [{ name: 'compression.type', operation: 'SET', value: 'zstd' }] },
      ],
      validateOnly: false,
    });
    await first.handle({ type: 'DeleteTopics', topics: [{ name: 'gone', topicId: null }] });
    await first.detachBroker(3, 'stopped');
    const before = stateView(first.metadata);
    const description = first.describe();
    await fixture.close(first);

    const second = await fixture.open();
    expect(stateView(second.metadata)).toEqual(before);
    expect(second.describe()).toEqual(description);
    expect(before.topics.map((t) => t.name)).toEqual(['kept']);
    expect(before.topics[0]!.partitions).toHaveLength(5);
    expect(before.topicConfigs).toEqual({ kept: { 'cleanup.policy': 'compact', 'segment.ms': '1000' } });
    expect(before.brokerConfigs).toEqual({ '': { 'log.retention.hours': '1' }, '2': { 'compression.type': 'zstd' } });

    // The replayed state decides like the one before: the name is still taken.
    const again = await second.handle({
      type: 'CreateTopics',
      topics: [{ name: 'kept', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      validateOnly: false,
    });
    expect(again.topics[0]!.errorCode).toBe(36);
  });

  it('snapshot: its records rebuild the same state in a fresh MetadataState', async () => {
    const controller = await fixture.openWithBrokers(2);
    await controller.detachBroker(1, 'stopped');
    await controller.handle({
      type: 'CreateTopics',
      topics: [{ name: 'a', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [{ name: 'flush.messages', value: '1' }] }],
      validateOnly: false,
    });
    await controller.handle({
      type: 'AlterConfigs',
      resources: [{ resourceType: 'broker', resourceName: '', configs: [{ name: 'min.insync.replicas', value: '2' }] }],
      validateOnly: false,
    });
    const rebuilt = new MetadataState();
    for (const record of snapshotRecords(controller.metadata)) rebuilt.apply(record);
    expect(stateView(rebuilt)).toEqual(stateView(controller.metadata));
  });
});
