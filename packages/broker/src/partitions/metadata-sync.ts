import type { Logger } from '@kstream/actor';
import type { MetadataRecord, PartitionState, TopicMetadata } from '@kstream/metadata';
import type { BrokerMetadata, MetadataChange } from '../metadata/broker-metadata.js';
import { partitionConfigFrom, type PartitionConfig } from '@kstream/replication';
import type { PartitionAssignment } from './hosted-partitions.js';
import type { ReplicaManager } from './replica-manager.js';

/**
 * Keeps a ReplicaManager in step with the broker's metadata cache (Kafka's
 * ReplicaManager.applyDelta): a snapshot reconciles the hosted partitions
 * with the whole state; a delta's PartitionRecords host or update partitions,
 * its ConfigRecords reach the open logs (a broker-level one changes the
 * defaults of every topic), its RemoveTopicRecords delete partitions. The
 * manager's work for a partition starts as the change is applied, so a
 * request that arrives right after waits for it. Returns the unsubscribe.
 */
export function syncReplicaManager(metadata: BrokerMetadata, replicaManager: ReplicaManager, logger: Logger): () => void {
  replicaManager.setPartitionExists((topic, partition) => metadata.partition(topic, partition) !== undefined);
  const apply = (change: MetadataChange): void => {
    const work = change.kind === 'snapshot' ? replicaManager.reconcile(allAssignments(metadata, logger)) : applyDelta(change.records, metadata, replicaManager, logger);
    work.catch((error: unknown) => logger.error('Failed to apply a metadata change to the hosted partitions', { appliedOffset: change.appliedOffset, error }));
  };
  if (metadata.appliedOffset >= 0) apply({ kind: 'snapshot', records: [], appliedOffset: metadata.appliedOffset });
  return metadata.onChange(apply);
}

function applyDelta(records: readonly MetadataRecord[], metadata: BrokerMetadata, replicaManager: ReplicaManager, logger: Logger): Promise<unknown> {
  const work: Promise<unknown>[] = [];
  const configs = topicConfigsOnce(metadata, logger);
  /** Topics whose configs the delta changed; each is told once, after the loop, whatever number of ConfigRecords it had. */
  const reconfigured = new Set<string>();
  for (const record of records) {
    switch (record.type) {
      case 'Partition': {
        const topic = metadata.topicById(record.topicId);
        const state = topic?.partitions[record.partition];
        const config = topic && configs(topic.name);
        if (topic === undefined || state === undefined || config === undefined) break;
        work.push(replicaManager.applyAssignment(assignmentOf(topic, state, config)));
        break;
      }
      case 'Config':
        if (record.resourceType === 'topic') reconfigured.add(record.resourceName);
        else for (const name of metadata.state.topics.keys()) reconfigured.add(name);
        break;
      case 'RemoveTopic':
        work.push(replicaManager.removeTopic(record.topicId));
        break;
      case 'Topic':
      case 'ClusterId':
      case 'RegisterBroker':
      case 'FenceBroker':
      case 'ProducerIds':
        break;
      default: {
        const unhandled: never = record;
        throw new Error(`unhandled metadata record ${JSON.stringify(unhandled)}`);
      }
    }
  }
  for (const name of reconfigured) {
    const config = configs(name);
    if (config !== undefined) replicaManager.updateTopicConfig(name, config);
  }
  return Promise.all(work);
}

function allAssignments(metadata: BrokerMetadata, logger: Logger): PartitionAssignment[] {
  const assignments: PartitionAssignment[] = [];
  for (const topic of metadata.state.topics.values()) {
    const config = configOf(metadata, topic.name, logger);
    if (config === undefined) continue;
    for (const p of topic.partitions) assignments.push(assignmentOf(topic, p, config));
  }
  return assignments;
}

function assignmentOf(topic: TopicMetadata, state: PartitionState, config: PartitionConfig): PartitionAssignment {
  const { partition, replicas, isr, leader, leaderEpoch, partitionEpoch, addingReplicas, removingReplicas } = state;
  // Written out, not spread from a rest object: V8 gave each spread copy a hidden class of its own (~350 bytes a hosted partition).
  const leadership = { replicas, isr, leader, leaderEpoch, partitionEpoch, addingReplicas, removingReplicas, topicId: topic.topicId };
  return { topic: topic.name, partition, config, state: leadership };
}

/**
 * configOf, resolved once per topic for one delta: the cache has applied
 * every record of the delta before its listeners run, so each of a topic's
 * PartitionRecords would resolve the same config — a CreateTopics of 1,000
 * partitions needs one resolution per topic, not 1,000.
 */
function topicConfigsOnce(metadata: BrokerMetadata, logger: Logger): (topic: string) => PartitionConfig | undefined {
  const resolved = new Map<string, PartitionConfig | undefined>();
  return (topic) => {
    if (!resolved.has(topic)) resolved.set(topic, configOf(metadata, topic, logger));
    return resolved.get(topic);
  };
}

/** The topic's partition config, or undefined (logged) when its effective configs cannot be used — the controller validated them, so that is a bug. */
function configOf(metadata: BrokerMetadata, topic: string, logger: Logger): PartitionConfig | undefined {
  const values = metadata.topicConfigs(topic);
  if (values === undefined) return undefined;
  try {
    return partitionConfigFrom(values);
  } catch (error) {
    logger.error('A topic config cannot be applied to its logs', { topic, error });
    return undefined;
  }
}
