import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '@kstream/protocol';
import { clusterRecords, testBroker, topicRecords } from './broker-services.test-support.js';
import { batch } from './partitions.test-support.js';

const ORDERS = { name: 'orders', topicId: '1a1a1a1a-0000-4000-8000-000000000001', partitions: 2 };
const LATER = { name: 'later', topicId: '1a1a1a1a-0000-4000-8000-000000000002' };
const THEIRS = { name: 'theirs', topicId: '1a1a1a1a-0000-4000-8000-000000000003', leader: 2 };

describe('syncReplicaManager', () => {
  it("snapshotHostsOwnPartitions: a registration snapshot opens this broker's partitions and no one else's", async () => {
    const broker = await testBroker(clusterRecords(ORDERS, THEIRS));
    const { partitions } = broker.services;
    expect(
      partitions
        .hostedPartitions()
        .map((p) => p.name)
        .sort(),
    ).toEqual(['orders-0', 'orders-1']);
    expect((await partitions.appendRecords('theirs', 0, await batch(['x']), 1, 1000)).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('deltaCreatesConfiguresDeletes: pushed records host a new topic, change its config, then delete its directory', async () => {
    const broker = await testBroker(clusterRecords(ORDERS));
    const { partitions } = broker.services;
    await broker.push(topicRecords(LATER));
    expect((await partitions.appendRecords('later', 0, await batch(['a'.repeat(200)]), 1, 1000)).errorCode).toBe(0);

    await broker.push([{ type: 'Config', resourceType: 'topic', resourceName: 'later', name: 'max.message.bytes', value: '100' }]);
    expect((await partitions.appendRecords('later', 0, await batch(['a'.repeat(200)]), 1, 1000)).errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);

    await broker.push([{ type: 'Config', resourceType: 'topic', resourceName: 'later', name: 'max.message.bytes', value: null }]);
    expect((await partitions.appendRecords('later', 0, await batch(['a'.repeat(200)]), 1, 1000)).errorCode).toBe(0);

    await broker.push([{ type: 'RemoveTopic', topicId: LATER.topicId }]);
    await expect.poll(() => existsSync(join(partitions.logDir, 'later-0'))).toBe(false);
    expect((await partitions.appendRecords('later', 0, await batch(['a']), 1, 1000)).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(partitions.partition('orders', 0)).toBeDefined();
  });

  it('brokerConfigChangesTopicDefaults: a dynamic broker config reaches topics that take it as their default', async () => {
    const broker = await testBroker(clusterRecords(ORDERS));
    await broker.push([{ type: 'Config', resourceType: 'broker', resourceName: '', name: 'message.max.bytes', value: '100' }]);
    expect(broker.services.partitions.partition('orders', 0)!.config.maxMessageBytes).toBe(100);
  });

  it("deltaResolvesEachTopicsConfigOnce: a delta creating a topic of many partitions resolves the topic's configs once, not once per partition", async () => {
    const broker = await testBroker(clusterRecords(ORDERS));
    const topicConfigs = vi.spyOn(broker.metadata, 'topicConfigs');
    const updateTopicConfig = vi.spyOn(broker.services.partitions, 'updateTopicConfig');
    await broker.push(topicRecords({ ...LATER, partitions: 40, configs: { 'max.message.bytes': '100', 'segment.bytes': '1048576' } }));
    expect(topicConfigs.mock.calls).toEqual([['later']]);
    expect(updateTopicConfig.mock.calls.map(([topic]) => topic)).toEqual(['later']);
    expect(broker.services.partitions.hostedPartitions()).toHaveLength(ORDERS.partitions + 40);
    expect(broker.services.partitions.partition('later', 39)!.config.maxMessageBytes).toBe(100);
  });
});
