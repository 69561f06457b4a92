import type { MetadataRecord } from './metadata-records.js';
import type { MetadataState } from './metadata-state.js';

/**
 * Records that rebuild `state` in a fresh MetadataState: what a registering
 * broker receives instead of the whole metadata log, whose history (fenced
 * incarnations, deleted topics, overwritten configs) it has no use for.
 */
export function snapshotRecords(state: MetadataState): MetadataRecord[] {
  const records: MetadataRecord[] = [];
  if (state.clusterId !== undefined) records.push({ type: 'ClusterId', clusterId: state.clusterId });
  for (const { brokerId, brokerEpoch, host, port, fenced } of state.brokers.values()) {
    records.push({ type: 'RegisterBroker', brokerId, brokerEpoch, host, port });
    if (fenced) records.push({ type: 'FenceBroker', brokerId, brokerEpoch, reason: 'fenced when the snapshot was taken' });
  }
  for (const topic of state.topics.values()) {
    records.push({ type: 'Topic', name: topic.name, topicId: topic.topicId });
    for (const p of topic.partitions) records.push({ type: 'Partition', topicId: topic.topicId, ...p });
  }
  for (const resourceType of ['topic', 'broker'] as const) {
    for (const [resourceName, configs] of state.configResources(resourceType)) {
      for (const [name, value] of configs) records.push({ type: 'Config', resourceType, resourceName, name, value });
    }
  }
  return records;
}
