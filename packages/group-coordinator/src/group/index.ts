export type {
  CoordinatorLog,
  CoordinatorTimers,
  GroupCoordinatorConfig,
  GroupRequestContext,
} from './coordinator-types.js';
export { ClassicGroup, IllegalGroupStateTransitionError, type GroupState } from './classic-group.js';
export type { ClassicGroupMember, MemberProtocol } from './classic-group-member.js';
export { coordinatorPartition, javaStringHashCode, kafkaAbs } from './coordinator-partition.js';
export { GroupCoordinator, type GroupCoordinatorOptions } from './group-coordinator.js';
export type { GroupLag, PartitionLag } from './group-lag.js';
export { ClassicGroupMembership, type DescribedGroup, type ListedGroup, type MembershipDeps } from './group-membership.js';
