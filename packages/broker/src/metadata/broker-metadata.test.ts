import type { MetadataRecord } from '@kstream/metadata';
import { describe, expect, it } from 'vitest';
import { BrokerMetadata, MetadataWaitTimeoutError } from './broker-metadata.js';
import type { MetadataChange } from './broker-metadata.js';

const TOPIC_ID = '11111111-2222-3333-4444-555555555555';

const snapshot: MetadataRecord[] = [
  { type: 'ClusterId', clusterId: 'cluster-a' },
  { type: 'RegisterBroker', brokerId: 1, brokerEpoch: 1, host: 'h', port: 1 },
  { type: 'RegisterBroker', brokerId: 2, brokerEpoch: 2, host: 'h', port: 2 },
  { type: 'Topic', name: 'orders', topicId: TOPIC_ID },
  { type: 'Partition', topicId: TOPIC_ID, partition: 0, replicas: [2], isr: [2], leader: 2, leaderEpoch: 0, partitionEpoch: 0 },
];

function loaded(staticConfig: Record<string, string> = {}): BrokerMetadata {
  const metadata = new BrokerMetadata(1, staticConfig);
  metadata.loadSnapshot(snapshot, 9);
  return metadata;
}

describe('BrokerMetadata', () => {
  it('snapshot: rebuilds the state as of its last offset; views find topics by name and id, leaders and live brokers', () => {
    const metadata = loaded();
    expect(metadata.appliedOffset).toBe(9);
    expect(metadata.clusterId).toBe('cluster-a');
    expect(metadata.topicByName('orders')?.topicId).toBe(TOPIC_ID);
    expect(metadata.topicById(TOPIC_ID)?.name).toBe('orders');
    expect(metadata.leaderFor('orders', 0)).toBe(2);
    expect(metadata.leaderFor('orders', 1)).toBeUndefined();
    expect(metadata.liveBrokers().map((b) => b.brokerId)).toEqual([1, 2]);
  });

  it('snapshotReplaces: a later snapshot drops what the earlier one had', () => {
    const metadata = loaded();
    metadata.loadSnapshot(snapshot.slice(0, 2), 20);
    expect(metadata.topicByName('orders')).toBeUndefined();
    expect(metadata.liveBrokers().map((b) => b.brokerId)).toEqual([1]);
    expect(metadata.appliedOffset).toBe(20);
  });

  it('updatesInOrder: a batch continuing the offsets applies; one the snapshot already covers is skipped, partly or whole', () => {
    const metadata = loaded();
    const changes: MetadataChange[] = [];
    metadata.onChange((change) => changes.push(change));
    const fence: MetadataRecord = { type: 'FenceBroker', brokerId: 2, brokerEpoch: 2, reason: 'test' };
    const remove: MetadataRecord = { type: 'RemoveTopic', topicId: TOPIC_ID };

    expect(metadata.applyUpdate([fence], 9)).toBe(true);
    expect(changes).toEqual([]);
    expect(metadata.applyUpdate([fence, remove], 10)).toBe(true);
    expect(metadata.topicByName('orders')).toBeUndefined();
    expect(metadata.isLive(2)).toBe(true);
    expect(changes).toEqual([{ kind: 'delta', records: [remove], appliedOffset: 10 }]);
    expect(metadata.applyUpdate([fence], 11)).toBe(true);
    expect(metadata.isLive(2)).toBe(false);
  });

  it('gap: a batch that starts past the next offset is refused and changes nothing', () => {
    const metadata = loaded();
    expect(metadata.applyUpdate([{ type: 'RemoveTopic', topicId: TOPIC_ID }], 11)).toBe(false);
    expect(metadata.appliedOffset).toBe(9);
    expect(metadata.topicByName('orders')).toBeDefined();
  });

  it('waitForOffset: resolves at once when applied, later when an update reaches it, and times out naming both offsets', async () => {
    const metadata = loaded();
    await metadata.waitForOffset(9, 10);
    const waiting = metadata.waitForOffset(10, 1_000);
    metadata.applyUpdate([{ type: 'FenceBroker', brokerId: 2, brokerEpoch: 2, reason: 'test' }], 10);
    await waiting;
    const late = metadata.waitForOffset(12, 30);
    await expect(late).rejects.toBeInstanceOf(MetadataWaitTimeoutError);
    await expect(late).rejects.toThrow('metadata offset 12 not applied within 30 ms (applied: 10)');
  });

  it('listenersAndUnsubscribe: listeners see snapshots and deltas until they unsubscribe', () => {
    const metadata = new BrokerMetadata(1, {});
    const kinds: string[] = [];
    const unsubscribe = metadata.onChange((change) => kinds.push(change.kind));
    metadata.loadSnapshot(snapshot, 9);
    metadata.applyUpdate([{ type: 'FenceBroker', brokerId: 2, brokerEpoch: 2, reason: 'test' }], 10);
    unsubscribe();
    metadata.applyUpdate([{ type: 'RemoveTopic', topicId: TOPIC_ID }], 11);
    expect(kinds).toEqual(['snapshot', 'delta']);
  });

  it('brokerConfigLayers: this broker dynamic, then cluster-wide dynamic, then static, then defaults — recomputed when broker configs change', () => {
    const metadata = loaded({ 'num.partitions': '4', 'log.retention.hours': '10' });
    expect(metadata.brokerConfig['num.partitions']).toBe(4);
    expect(metadata.brokerConfig['message.max.bytes']).toBe(1048588);
    const config = (resourceName: string, name: string, value: string | null): MetadataRecord => ({
      type: 'Config',
      resourceType: 'broker',
      resourceName,
      name,
      value,
    });
    metadata.applyUpdate([config('', 'log.retention.ms', '100'), config('1', 'log.retention.ms', '50'), config('2', 'log.segment.bytes', '2000')], 12);
    expect(metadata.brokerConfig['log.retention.ms']).toBe(50);
    expect(metadata.brokerConfig['log.segment.bytes']).toBe(1073741824);
    metadata.applyUpdate([config('1', 'log.retention.ms', null)], 13);
    expect(metadata.brokerConfig['log.retention.ms']).toBe(100);
  });

  it('topicConfigs: a topic own values, else broker synonyms converted to the topic unit; undefined for an unknown topic', () => {
    const metadata = loaded({ 'log.retention.hours': '2' });
    metadata.applyUpdate([{ type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'cleanup.policy', value: 'compact' }], 10);
    const configs = metadata.topicConfigs('orders')!;
    expect(configs['cleanup.policy']).toBe('compact');
    expect(configs['retention.ms']).toBe(String(2 * 3_600_000));
    expect(metadata.topicConfigs('missing')).toBeUndefined();
  });
});
