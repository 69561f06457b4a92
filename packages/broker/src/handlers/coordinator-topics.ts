// The internal topics whose partition leaders are the coordinators:
// __consumer_offsets for groups, __transaction_state for transactional ids.
// Like Kafka, a broker asks the controller to create one the first time a
// client looks for a coordinator in it, with the partition count,
// replication factor and topic configs Kafka gives it.
import { GROUP_METADATA_TOPIC, TRANSACTION_STATE_TOPIC, type BrokerConfigValues } from '@kstream/metadata';
import { ErrorCode } from '@kstream/protocol';
import type { BrokerMetadata } from '../metadata/broker-metadata.js';
import { askController, isAdminFailure } from './controller-admin.js';
import type { BrokerServices } from './handler.js';

/** FindCoordinator's key types (Kafka's CoordinatorType ids). */
export const CoordinatorType = { GROUP: 0, TRANSACTION: 1 } as const;

/** A coordinator topic as this broker's configs define it. */
export interface CoordinatorTopic {
  readonly name: typeof GROUP_METADATA_TOPIC | typeof TRANSACTION_STATE_TOPIC;
  /** What a key of this type names, for messages: "group" or "transactional id". */
  readonly keyName: string;
  readonly partitionCount: number;
  readonly replicationFactor: number;
  /** The broker config that sets the replication factor, named in COORDINATOR_NOT_AVAILABLE messages. */
  readonly replicationFactorConfig: string;
  readonly configs: readonly { readonly name: string; readonly value: string }[];
}

/** The coordinator topic of `keyType`, or undefined for a key type Kafka does not know here. */
export function coordinatorTopicFor(keyType: number, config: BrokerConfigValues): CoordinatorTopic | undefined {
  switch (keyType) {
    case CoordinatorType.GROUP:
      return {
        name: GROUP_METADATA_TOPIC,
        keyName: 'group',
        partitionCount: config['offsets.topic.num.partitions'],
        replicationFactor: config['offsets.topic.replication.factor'],
        replicationFactorConfig: 'offsets.topic.replication.factor',
        configs: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'compression.type', value: 'producer' },
          { name: 'segment.bytes', value: String(config['offsets.topic.segment.bytes']) },
        ],
      };
    case CoordinatorType.TRANSACTION:
      return {
        name: TRANSACTION_STATE_TOPIC,
        keyName: 'transactional id',
        partitionCount: config['transaction.state.log.num.partitions'],
        replicationFactor: config['transaction.state.log.replication.factor'],
        replicationFactorConfig: 'transaction.state.log.replication.factor',
        configs: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'compression.type', value: 'uncompressed' },
          { name: 'min.insync.replicas', value: String(config['transaction.state.log.min.isr']) },
          { name: 'segment.bytes', value: String(config['transaction.state.log.segment.bytes']) },
          { name: 'unclean.leader.election.enable', value: 'false' },
        ],
      };
    default:
      return undefined;
  }
}

/** Coordinator topics each broker has asked the controller for and not yet seen answered. */
const creating = new WeakMap<BrokerMetadata, Set<string>>();

/** How long a creation may take, controller and metadata cache together, before the broker may ask again. */
const CREATE_TIMEOUT_MS = 30_000;

/**
 * Asks the controller to create `topic`, unless this broker is already
 * waiting for it: concurrent FindCoordinator requests ask once. The
 * requests themselves do not wait; clients retry on COORDINATOR_NOT_AVAILABLE.
 * Another broker asking at the same time gets TOPIC_ALREADY_EXISTS.
 */
export function createCoordinatorTopic(broker: BrokerServices, topic: CoordinatorTopic): void {
  let pending = creating.get(broker.metadata);
  if (pending === undefined) creating.set(broker.metadata, (pending = new Set()));
  if (pending.has(topic.name)) return;
  pending.add(topic.name);
  broker.logger.info(`broker ${broker.brokerId}: creating ${topic.name} (${topic.partitionCount} partitions, replication factor ${topic.replicationFactor})`);
  askController(
    broker,
    {
      type: 'CreateTopics',
      topics: [
        {
          name: topic.name,
          numPartitions: topic.partitionCount,
          replicationFactor: topic.replicationFactor,
          assignments: [],
          configs: topic.configs,
        },
      ],
      validateOnly: false,
    },
    CREATE_TIMEOUT_MS,
  )
    .then(
      (reply) => {
        const failure = isAdminFailure(reply) ? reply : reply.topics[0];
        if (failure !== undefined && failure.errorCode !== ErrorCode.NONE && failure.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) {
          broker.logger.warn(`broker ${broker.brokerId}: creating ${topic.name} failed: ${failure.errorMessage}`);
        }
      },
      (error: unknown) => broker.logger.warn(`broker ${broker.brokerId}: creating ${topic.name} failed`, { error }),
    )
    .finally(() => pending.delete(topic.name));
}
