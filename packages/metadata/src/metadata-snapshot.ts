import { reassignmentFields } from './metadata-records.js';
import type { MetadataRecord } from './metadata-records.js';
import type { MetadataState } from './metadata-state.js';

/**
 * Records that rebuild `state` in a fresh MetadataState: what a registering
 * broker receives instead of the whole metadata log, whose history (fenced
 * incarnations, deleted topics, overwritten configs) it has no use for.
 */
export function snapshotRecords(state: MetadataState): MetadataRecord[] {
  return [...eachSnapshotRecord(state)];
}

/** snapshotRecords one at a time, for packMetadataBatch to pack in turns. */
export function* eachSnapshotRecord(state: MetadataState): Generator<MetadataRecord> {
  if (state.clusterId !== undefined) yield { type: 'ClusterId', clusterId: state.clusterId };
  for (const { brokerId, brokerEpoch, host, port, fenced } of state.brokers.values()) {
    yield { type: 'RegisterBroker', brokerId, brokerEpoch, host, port };
    if (fenced) yield { type: 'FenceBroker', brokerId, brokerEpoch, reason: 'fenced when the snapshot was taken' };
  }
  for (const topic of state.topics.values()) {
    yield { type: 'Topic', name: topic.name, topicId: topic.topicId };
    for (const { addingReplicas, removingReplicas, ...p } of topic.partitions) {
      yield { type: 'Partition', topicId: topic.topicId, ...p, ...reassignmentFields(addingReplicas, removingReplicas) };
    }
  }
  for (const resourceType of ['topic', 'broker'] as const) {
    for (const [resourceName, configs] of state.configResources(resourceType)) {
      for (const [name, value] of configs) yield { type: 'Config', resourceType, resourceName, name, value };
    }
  }
  if (state.producerIds !== undefined) yield state.producerIds;
}
