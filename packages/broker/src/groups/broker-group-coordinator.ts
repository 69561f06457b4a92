// The broker's group coordinator, wired: its settings read from the broker's
// configs in force at each use, __consumer_offsets through this broker's
// ReplicaManager, the leaderships it follows, and the transaction markers
// that complete transactional offset commits.
import type { Logger } from '@kstream/actor';
import { GroupCoordinator } from '@kstream/group-coordinator';
import type { BrokerMetadata } from '../metadata/broker-metadata.js';
import { GROUP_METADATA_TOPIC } from '@kstream/metadata';
import { coordinatorLog } from '../partitions/coordinator-log.js';
import type { ReplicaManager } from '../partitions/replica-manager.js';
import { followCoordinatorElections } from './coordinator-elections.js';
import { groupCoordinatorConfig } from './group-coordinator-config.js';

export interface BrokerGroupCoordinatorOptions {
  readonly brokerId: number;
  readonly metadata: BrokerMetadata;
  readonly partitions: ReplicaManager;
  readonly logger: Logger;
}

/**
 * A GroupCoordinator over `partitions`, told of every __consumer_offsets
 * partition they lead from now on: start it before metadata reaches the
 * partitions. The partition count is metadata's, else
 * offsets.topic.num.partitions (the topic does not exist yet); a commit to
 * a topic metadata does not know is UNKNOWN_TOPIC_OR_PARTITION. Once a
 * transaction marker is written to a __consumer_offsets partition and
 * replicated, the coordinator completes that producer's pending
 * transactional offsets there (commit or abort).
 */
export function startBrokerGroupCoordinator({ brokerId, metadata, partitions, logger }: BrokerGroupCoordinatorOptions): GroupCoordinator {
  const coordinator = new GroupCoordinator({
    brokerId,
    config: () => groupCoordinatorConfig(metadata.brokerConfig),
    log: coordinatorLog(partitions, GROUP_METADATA_TOPIC, () => metadata.brokerConfig['offsets.commit.timeout.ms']),
    offsetsTopicPartitionCount: () => metadata.topicByName(GROUP_METADATA_TOPIC)?.partitions.length ?? metadata.brokerConfig['offsets.topic.num.partitions'],
    topicExists: (topic) => metadata.topicByName(topic) !== undefined,
    logger,
  });
  followCoordinatorElections(partitions, GROUP_METADATA_TOPIC, coordinator);
  partitions.onTxnMarkerWritten((topic, partition, marker) => {
    if (topic === GROUP_METADATA_TOPIC) coordinator.onTransactionCompleted(partition, marker.producerId, marker.commit);
  });
  return coordinator;
}
