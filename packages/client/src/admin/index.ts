// The Admin client and the types of its calls.
export { Admin } from './admin.js';
export type { AdminCallOptions, AdminOptions, ResolvedAdminOptions } from './admin-options.js';
export { AdminBatchError, KafkaGroupNotEmptyError } from './admin-errors.js';
export type { AdminItemFailure } from './admin-errors.js';
export type { ClusterDescription, ElectionResult, ElectionType } from './admin-cluster.js';
export type { CommittedOffset, FetchCommittedOptions } from './admin-committed-offsets.js';
export type { ConfigEntry, ConfigResource, ConfigResourceType, ConfigSource, ConfigSynonym, ConfigType } from './admin-config-types.js';
export type { AlterConfigsOptions, ConfigAlteration, ConfigOperation, ConfigResourceQuery, DescribeConfigsOptions, ResourceConfigs } from './admin-configs.js';
export type { GroupLag, GroupLagOptions, OffsetReset, PartitionLag, ResetGroupOffsetsOptions, ResetTarget } from './admin-group-offsets.js';
export type { GroupDescription, GroupListing, GroupMemberSubscription, GroupState, ListGroupsOptions, MemberDescription } from './admin-groups.js';
export type { DeletedRecords, ListedOffset, ListOffsetsOptions, ListOffsetsQuery, OffsetSpec, RecordsToDelete } from './admin-offsets.js';
export type { PartitionReassignment, PartitionReassignmentTarget } from './admin-reassignments.js';
export type { DescribeTopicsOptions, ListTopicsOptions, PartitionDescription, TopicDescription } from './admin-topic-metadata.js';
export type { CreatedTopic, CreateTopicsOptions, NewPartitions, NewTopic } from './admin-topics.js';
