// Consumer group membership (Kafka's classic protocol) and the assignors.
export type { Assignor, MemberSubscription, TopicPartition } from '../assignors/assignor.js';
export { ASSIGNOR_NAMES, DEFAULT_ASSIGNORS, type AssignorName } from '../assignors/assignors.js';
export type { GroupHost } from './group-host.js';
export { GroupMember } from './group-member.js';
export { type GroupMemberOptions, type ResolvedGroupMemberOptions, resolveGroupMemberOptions } from './group-member-options.js';
export type { OffsetToCommit } from './offset-requests.js';
export type { RebalanceListener } from './rebalance-listener.js';
