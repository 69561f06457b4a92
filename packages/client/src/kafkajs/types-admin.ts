// kafkajs 2.x's admin types, as its index.d.ts declares them.
import type { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ConfigResourceTypes, ConfigSource, ResourcePatternTypes } from './constants.js';
import type { KafkaJSProtocolError } from './errors.js';
import type {
  ConnectEvent,
  DisconnectEvent,
  InstrumentationEvent,
  RemoveInstrumentationEventListener,
  RequestEvent,
  RequestQueueSizeEvent,
  RequestTimeoutEvent,
} from './instrumentation.js';
import type { Logger } from './logger.js';
import type { PartitionMetadata } from './partitioners.js';
import type { GroupDescriptions, TopicPartitions } from './types-consumer.js';
import type { PartitionOffset } from './types-producer.js';

type ValueOf<T> = T[keyof T];

export interface IResourceConfigEntry {
  name: string;
  value: string;
}

export interface ReplicaAssignment {
  partition: number;
  replicas: Array<number>;
}

export interface ITopicConfig {
  topic: string;
  numPartitions?: number;
  replicationFactor?: number;
  replicaAssignment?: ReplicaAssignment[];
  configEntries?: IResourceConfigEntry[];
}

export interface ITopicPartitionConfig {
  topic: string;
  count: number;
  assignments?: Array<Array<number>>;
}

export interface ITopicMetadata {
  name: string;
  partitions: PartitionMetadata[];
}

export interface PartitionReassignment {
  topic: string;
  partitionAssignment: Array<ReplicaAssignment>;
}

export interface ResourceConfigQuery {
  type: ConfigResourceTypes;
  name: string;
  configNames?: string[];
}

export interface ConfigSynonyms {
  configName: string;
  configValue: string;
  configSource: ConfigSource;
}

export interface ConfigEntries {
  configName: string;
  configValue: string;
  isDefault: boolean;
  configSource: ConfigSource;
  isSensitive: boolean;
  readOnly: boolean;
  configSynonyms: ConfigSynonyms[];
}

export interface DescribeConfigResponse {
  resources: {
    configEntries: ConfigEntries[];
    errorCode: number;
    errorMessage: string;
    resourceName: string;
    resourceType: ConfigResourceTypes;
  }[];
  throttleTime: number;
}

export interface IResourceConfig {
  type: ConfigResourceTypes;
  name: string;
  configEntries: IResourceConfigEntry[];
}

export type AdminEvents = {
  CONNECT: 'admin.connect';
  DISCONNECT: 'admin.disconnect';
  REQUEST: 'admin.network.request';
  REQUEST_TIMEOUT: 'admin.network.request_timeout';
  REQUEST_QUEUE_SIZE: 'admin.network.request_queue_size';
};

export type SeekEntry = PartitionOffset;
export type FetchOffsetsPartition = PartitionOffset & { metadata: string | null };

export interface Acl {
  principal: string;
  host: string;
  operation: AclOperationTypes;
  permissionType: AclPermissionTypes;
}

export interface AclResource {
  resourceType: AclResourceTypes;
  resourceName: string;
  resourcePatternType: ResourcePatternTypes;
}

export type AclEntry = Acl & AclResource;
export type DescribeAclResource = AclResource & { acls: Acl[] };

export interface DescribeAclResponse {
  throttleTime: number;
  errorCode: number;
  errorMessage?: string;
  resources: DescribeAclResource[];
}

export interface AclFilter {
  resourceType: AclResourceTypes;
  resourceName?: string;
  resourcePatternType: ResourcePatternTypes;
  principal?: string;
  host?: string;
  operation: AclOperationTypes;
  permissionType: AclPermissionTypes;
}

export interface MatchingAcl {
  errorCode: number;
  errorMessage?: string;
  resourceType: AclResourceTypes;
  resourceName: string;
  resourcePatternType: ResourcePatternTypes;
  principal: string;
  host: string;
  operation: AclOperationTypes;
  permissionType: AclPermissionTypes;
}

export interface DeleteAclFilterResponses {
  errorCode: number;
  errorMessage?: string;
  matchingAcls: MatchingAcl[];
}

export interface DeleteAclResponse {
  throttleTime: number;
  filterResponses: DeleteAclFilterResponses[];
}

export interface OngoingPartitionReassignment {
  partitionIndex: number;
  replicas: number[];
  addingReplicas?: number[];
  removingReplicas?: number[];
}

export interface OngoingTopicReassignment {
  topic: string;
  partitions: OngoingPartitionReassignment[];
}

export interface ListPartitionReassignmentsResponse {
  topics: OngoingTopicReassignment[];
}

export type GroupOverview = { groupId: string; protocolType: string };

export type DeleteGroupsResult = { groupId: string; errorCode?: number; error?: KafkaJSProtocolError };

type On<Name, Event> = (eventName: Name, listener: (event: Event) => void) => RemoveInstrumentationEventListener<Name>;

export type Admin = {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  createTopics(options: { validateOnly?: boolean; waitForLeaders?: boolean; timeout?: number; topics: ITopicConfig[] }): Promise<boolean>;
  deleteTopics(options: { topics: string[]; timeout?: number }): Promise<void>;
  createPartitions(options: { validateOnly?: boolean; timeout?: number; topicPartitions: ITopicPartitionConfig[] }): Promise<boolean>;
  fetchTopicMetadata(options?: { topics: string[] }): Promise<{ topics: Array<ITopicMetadata> }>;
  fetchOffsets(options: { groupId: string; topics?: string[]; resolveOffsets?: boolean }): Promise<Array<{ topic: string; partitions: FetchOffsetsPartition[] }>>;
  fetchTopicOffsets(topic: string): Promise<Array<SeekEntry & { high: string; low: string }>>;
  fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<Array<SeekEntry>>;
  describeCluster(): Promise<{ brokers: Array<{ nodeId: number; host: string; port: number }>; controller: number | null; clusterId: string }>;
  setOffsets(options: { groupId: string; topic: string; partitions: SeekEntry[] }): Promise<void>;
  resetOffsets(options: { groupId: string; topic: string; earliest: boolean }): Promise<void>;
  describeConfigs(configs: { resources: ResourceConfigQuery[]; includeSynonyms: boolean }): Promise<DescribeConfigResponse>;
  alterConfigs(configs: { validateOnly: boolean; resources: IResourceConfig[] }): Promise<any>;
  listGroups(): Promise<{ groups: GroupOverview[] }>;
  deleteGroups(groupIds: string[]): Promise<DeleteGroupsResult[]>;
  describeGroups(groupIds: string[]): Promise<GroupDescriptions>;
  /** Not supported: the client has no ACL support yet; rejects with KafkaJSNotImplemented. */
  describeAcls(options: AclFilter): Promise<DescribeAclResponse>;
  /** Not supported: rejects with KafkaJSNotImplemented. */
  deleteAcls(options: { filters: AclFilter[] }): Promise<DeleteAclResponse>;
  /** Not supported: rejects with KafkaJSNotImplemented. */
  createAcls(options: { acl: AclEntry[] }): Promise<boolean>;
  deleteTopicRecords(options: { topic: string; partitions: SeekEntry[] }): Promise<void>;
  alterPartitionReassignments(request: { topics: PartitionReassignment[]; timeout?: number }): Promise<void>;
  listPartitionReassignments(request: { topics?: TopicPartitions[]; timeout?: number }): Promise<ListPartitionReassignmentsResponse>;
  logger(): Logger;
  on: On<AdminEvents['CONNECT'], ConnectEvent> &
    On<AdminEvents['DISCONNECT'], DisconnectEvent> &
    On<AdminEvents['REQUEST'], RequestEvent> &
    On<AdminEvents['REQUEST_QUEUE_SIZE'], RequestQueueSizeEvent> &
    On<AdminEvents['REQUEST_TIMEOUT'], RequestTimeoutEvent> &
    On<ValueOf<AdminEvents>, InstrumentationEvent<any>>;
  readonly events: AdminEvents;
};
