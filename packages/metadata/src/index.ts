export type * from './messages.js';
export { CONFIG_OPERATIONS, UNPACKED_REPLY_TYPES } from './messages.js';
export { AdminError } from './admin-error.js';
export { packArrayChunksInTurns, packArrayInTurns, packMetadataBatch, unpackArray, unpackMetadataBatch } from './metadata-batch.js';
export { LoopTurns, TURN_MS } from './loop-turns.js';
export { MetadataState, partitionStateOf } from './metadata-state.js';
export { packAdminReply, unpackAdminReply } from './packed-reply.js';
export type { BrokerRegistration, PartitionState, TopicMetadata } from './metadata-state.js';
export { eachSnapshotRecord, snapshotRecords } from './metadata-snapshot.js';
export type * from './metadata-records.js';
export { parseMetadataRecord, reassignmentFields } from './metadata-records.js';
export { ConfigSource, ConfigType, InvalidConfigValueError, LONG_MAX_TEXT, splitList } from './config-definition.js';
export type { ConfigDef, ConfigValue } from './config-definition.js';
export { TOPIC_CONFIGS } from './topic-configs.js';
export type { ConfigSynonym, TopicConfigDef } from './topic-configs.js';
export { BROKER_CONFIGS, resolveBrokerConfig, UnknownConfigError, validateBrokerConfig } from './broker-configs.js';
export type { BrokerConfigName, BrokerConfigProps, BrokerConfigValues } from './broker-configs.js';
export { brokerConfigLayers, describeBrokerConfigs, describeTopicConfigs, effectiveTopicConfigs } from './config-describe.js';
export type { BrokerConfigLayers, ConfigSynonymValue, DescribedConfig } from './config-describe.js';
export { collisionKey, GROUP_METADATA_TOPIC, hasCollisionChars, INTERNAL_TOPICS, TRANSACTION_STATE_TOPIC, MAX_TOPIC_NAME_LENGTH, topicNameProblem } from './topic-name.js';
export {
  boundsProblem,
  checkConfigValueSize,
  checkCreatableTopicBounds,
  checkPartitionsPerTopic,
  checkReplicaListLengths,
  checkTopicCount,
  PartitionBudget,
  requestedPartitions,
} from './request-bounds.js';
export type { RequestLimits } from './request-bounds.js';
