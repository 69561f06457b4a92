// The broker's transaction coordinator, wired: its settings read from the
// broker's configs in force at each use, __transaction_state through this
// broker's ReplicaManager, producer ids from the broker's ProducerIdManager,
// markers routed to the partitions' leaders, and the leaderships it follows.
import type { Logger } from '@kstream/actor';
import { GROUP_METADATA_TOPIC, TRANSACTION_STATE_TOPIC } from '@kstream/metadata';
import { TransactionCoordinator, type ProducerIdSource } from '@kstream/transaction-coordinator';
import { followCoordinatorElections } from '../groups/coordinator-elections.js';
import type { BrokerMetadata } from '../metadata/broker-metadata.js';
import { coordinatorLog } from '../partitions/coordinator-log.js';
import type { ReplicaManager } from '../partitions/replica-manager.js';
import type { PeerLinks } from '../peers/peer-links.js';
import { transactionCoordinatorConfig } from './transaction-coordinator-config.js';
import { brokerTxnMarkerWriter } from './txn-marker-writer.js';

export interface BrokerTransactionCoordinatorOptions {
  readonly brokerId: number;
  readonly metadata: BrokerMetadata;
  readonly partitions: ReplicaManager;
  readonly peers: PeerLinks;
  readonly producerIds: ProducerIdSource;
  readonly logger: Logger;
}

/**
 * A TransactionCoordinator over `partitions`, told of every
 * __transaction_state partition they lead from now on: start it before
 * metadata reaches the partitions. Its appends to __transaction_state and
 * its markers wait for replication at most offsets.commit.timeout.ms (kstream
 * has no request.timeout.ms, which Kafka bounds both with). The partition
 * counts are metadata's, else transaction.state.log.num.partitions /
 * offsets.topic.num.partitions (the topic does not exist yet); a partition
 * metadata does not know is not added to a transaction.
 */
export function startBrokerTransactionCoordinator(options: BrokerTransactionCoordinatorOptions): TransactionCoordinator {
  const { brokerId, metadata, partitions, peers, producerIds, logger } = options;
  const timeoutMs = () => metadata.brokerConfig['offsets.commit.timeout.ms'];
  const coordinator = new TransactionCoordinator({
    brokerId,
    config: () => transactionCoordinatorConfig(metadata.brokerConfig),
    log: coordinatorLog(partitions, TRANSACTION_STATE_TOPIC, timeoutMs),
    transactionTopicPartitionCount: () => metadata.topicByName(TRANSACTION_STATE_TOPIC)?.partitions.length ?? metadata.brokerConfig['transaction.state.log.num.partitions'],
    offsetsTopicPartitionCount: () => metadata.topicByName(GROUP_METADATA_TOPIC)?.partitions.length ?? metadata.brokerConfig['offsets.topic.num.partitions'],
    partitionExists: (topic, partition) => metadata.partition(topic, partition) !== undefined,
    producerIds,
    markers: brokerTxnMarkerWriter({ brokerId, metadata, partitions, peers, timeoutMs, logger }),
    logger,
  });
  followCoordinatorElections(partitions, TRANSACTION_STATE_TOPIC, coordinator);
  return coordinator;
}
