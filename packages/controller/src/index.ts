export { Controller, DEFAULT_SESSION_TIMEOUT_MS } from './controller.js';
export type { ControllerDescription, ControllerOptions } from './controller.js';
export type * from './messages.js';
export { CONFIG_OPERATIONS } from './messages.js';
export { MetadataLog, packMetadataBatch, unpackMetadataBatch } from './metadata-log.js';
export { MetadataState } from './metadata-state.js';
export { packAdminReply, unpackAdminReply } from './packed-reply.js';
export type { BrokerRegistration, PartitionState, TopicMetadata } from './metadata-state.js';
export { snapshotRecords } from './metadata-snapshot.js';
export type * from './metadata-records.js';
export { parseMetadataRecord } from './metadata-records.js';
export { ConfigSource, ConfigType, InvalidConfigValueError, LONG_MAX_TEXT, splitList } from './config-definition.js';
export type { ConfigDef, ConfigValue } from './config-definition.js';
export { TOPIC_CONFIGS } from './topic-configs.js';
export type { ConfigSynonym, TopicConfigDef } from './topic-configs.js';
export { BROKER_CONFIGS, resolveBrokerConfig, UnknownConfigError, validateBrokerConfig } from './broker-configs.js';
export type { BrokerConfigName, BrokerConfigProps, BrokerConfigValues } from './broker-configs.js';
export { brokerConfigLayers, describeBrokerConfigs, describeTopicConfigs, effectiveTopicConfigs } from './config-describe.js';
export type { BrokerConfigLayers, ConfigSynonymValue, DescribedConfig } from './config-describe.js';
export { MAX_TOPIC_NAME_LENGTH, topicNameProblem } from './topic-name.js';
export {
  boundsProblem,
  checkConfigValueSize,
  checkCreatableTopicBounds,
  checkPartitionsPerTopic,
  checkReplicaListLengths,
  checkTopicCount,
} from './request-bounds.js';
export type { RequestLimits } from './request-bounds.js';
