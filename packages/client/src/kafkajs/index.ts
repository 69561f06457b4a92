// `@kstream/client/kafkajs`: kafkajs 2.x's API and types on @kstream/client,
// so a kafkajs program switches by changing its import. What differs and
// what is not there yet: packages/client/docs/kafkajs-migration.md.
export { Kafka, type AdminConfig } from './kafka.js';
export {
  logLevel,
  CompressionTypes,
  CompressionCodecs,
  ConfigResourceTypes,
  ConfigSource,
  AclResourceTypes,
  AclPermissionTypes,
  AclOperationTypes,
  ResourcePatternTypes,
} from './constants.js';
export { Partitioners, type PartitionerArgs, type PartitionMetadata, type ICustomPartitioner, type DefaultPartitioner, type LegacyPartitioner } from './partitioners.js';
export {
  PartitionAssigners,
  AssignerProtocol,
  type Assigner,
  type Assignment,
  type GroupMember,
  type GroupMemberAssignment,
  type GroupState,
  type ISerializer,
  type MemberAssignment,
  type MemberMetadata,
  type PartitionAssigner,
} from './assigners.js';
export * from './errors.js';
export type {
  BrokersFunction,
  ISocketFactory,
  ISocketFactoryArgs,
  KafkaConfig,
  Mechanism,
  OauthbearerProviderResponse,
  RetryOptions,
  SASLMechanism,
  SASLOptions,
} from './config.js';
export type { LogEntry, Logger, LoggerEntryContent, logCreator } from './logger.js';
export type {
  ConnectEvent,
  DisconnectEvent,
  InstrumentationEvent,
  RemoveInstrumentationEventListener,
  RequestEvent,
  RequestQueueSizeEvent,
  RequestTimeoutEvent,
} from './instrumentation.js';
export type * from './types-producer.js';
export type * from './types-consumer.js';
export type * from './types-admin.js';
export type { ApiVersions, Broker, BrokerMetadata, Cluster, CoordinatorMetadata } from './types-cluster.js';
