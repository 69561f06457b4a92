// The classic group membership protocol (Kafka's GroupCoordinator for
// JoinGroup, SyncGroup, Heartbeat and LeaveGroup): the rules live in the
// membership-* files; this facade answers each request for its version.
import type { Logger } from '@kstream/log-storage';
import {
  AUTHORIZED_OPERATIONS_OMITTED,
  ErrorCode,
  GROUP_OPERATIONS,
  type DescribeGroups,
  type Heartbeat,
  type JoinGroup,
  type LeaveGroup,
  type ListGroups,
  type RequestOf,
  type ResponseOf,
  type SyncGroup,
} from '@kstream/protocol';
import { EMPTY_BYTES, type JoinResult } from './classic-group-member.js';
import type { ClassicGroup } from './classic-group.js';
import type { CoordinatorTimers, GroupCoordinatorConfig, GroupRequestContext } from './coordinator-types.js';
import { MembershipJoin } from './membership-join.js';
import { leaveMembers } from './membership-leave.js';
import { GroupRebalancer } from './membership-rebalance.js';
import { MembershipSync } from './membership-sync.js';

export interface MembershipDeps {
  readonly config: () => GroupCoordinatorConfig;
  readonly clock: () => number;
  readonly timers: CoordinatorTimers;
  readonly logger: Logger;
  /** Writes the group's GroupMetadataValue (acks=all) and resolves with the coordinator error code to answer (NONE, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, ...). */
  readonly storeGroup: (group: ClassicGroup) => Promise<number>;
  /** Called when a rebalance leaves a group Empty (its last member left or timed out). */
  readonly onGroupEmptied?: (group: ClassicGroup) => void;
}

export type DescribedGroup = ResponseOf<typeof DescribeGroups>['groups'][number];
export type ListedGroup = ResponseOf<typeof ListGroups>['groups'][number];

/** Not thread-safe; every call runs on the coordinator's loop. */
export class ClassicGroupMembership {
  private readonly rebalancer: GroupRebalancer;
  private readonly joins: MembershipJoin;
  private readonly syncs: MembershipSync;

  constructor(private readonly deps: MembershipDeps) {
    this.rebalancer = new GroupRebalancer(deps);
    this.joins = new MembershipJoin(deps, this.rebalancer);
    this.syncs = new MembershipSync(deps, this.rebalancer);
  }

  joinGroup(group: ClassicGroup, request: RequestOf<typeof JoinGroup>, context: GroupRequestContext): Promise<ResponseOf<typeof JoinGroup>> {
    return new Promise((resolve) => this.joins.join(group, request, context, (result) => resolve(joinResponse(result, context.apiVersion))));
  }

  syncGroup(group: ClassicGroup, request: RequestOf<typeof SyncGroup>, context: GroupRequestContext): Promise<ResponseOf<typeof SyncGroup>> {
    return new Promise((resolve) => this.syncs.sync(group, request, context, (result) => resolve({ throttleTimeMs: 0, ...result })));
  }

  heartbeat(group: ClassicGroup, request: RequestOf<typeof Heartbeat>, _context: GroupRequestContext): Promise<ResponseOf<typeof Heartbeat>> {
    return Promise.resolve({ throttleTimeMs: 0, errorCode: this.syncs.heartbeat(group, request) });
  }

  leaveGroup(group: ClassicGroup, request: RequestOf<typeof LeaveGroup>, context: GroupRequestContext): Promise<ResponseOf<typeof LeaveGroup>> {
    const leaving = context.apiVersion >= 3 ? request.members : [{ memberId: request.memberId, groupInstanceId: null, reason: null }];
    const outcome = leaveMembers(this.deps, this.rebalancer, group, leaving);
    // Before v3 the one member's error is the response's.
    const errorCode = context.apiVersion >= 3 ? outcome.errorCode : (outcome.members.find((m) => m.errorCode !== ErrorCode.NONE)?.errorCode ?? outcome.errorCode);
    return Promise.resolve({ throttleTimeMs: 0, errorCode, members: [...outcome.members] });
  }

  /**
   * Kafka's rescheduleClassicGroupMemberHeartbeat as OffsetCommit uses it: a
   * commit from a member of a Stable or PreparingRebalance group keeps its
   * session alive like a heartbeat. Other states and unknown members: nothing.
   */
  rescheduleClassicGroupMemberHeartbeat(group: ClassicGroup, memberId: string): void {
    if (group.state !== 'Stable' && group.state !== 'PreparingRebalance') return;
    const member = group.member(memberId);
    if (member !== undefined) this.rebalancer.scheduleSession(group, member);
  }

  /** After a load: each member's session starts now; a group over group.max.size rebalances to shed the excess. */
  onLoaded(group: ClassicGroup): void {
    for (const member of group.allMembers()) this.rebalancer.scheduleSession(group, member);
    const maxSize = this.deps.config().groupMaxSize;
    if (group.size > maxSize) this.rebalancer.prepareRebalance(group, `loaded with ${group.size} members, over group.max.size=${maxSize}`);
  }

  /** The partition moved away: the group is Dead here, its timers stop and parked joins/syncs are answered NOT_COORDINATOR. */
  unload(group: ClassicGroup): void {
    this.rebalancer.cancelAll(group, ErrorCode.NOT_COORDINATOR);
    group.transitionTo('Dead', this.deps.clock());
  }

  /** DescribeGroups' entry: members' metadata and assignments only while Stable (Kafka's summary), protocol "" otherwise. */
  describe(group: ClassicGroup, _apiVersion: number, includeAuthorizedOperations = false): DescribedGroup {
    const stable = group.state === 'Stable';
    const protocol = stable ? (group.protocolName ?? '') : '';
    return {
      errorCode: ErrorCode.NONE,
      groupId: group.groupId,
      groupState: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: protocol,
      members: group.allMembers().map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? m.metadata(protocol) : EMPTY_BYTES,
        memberAssignment: stable ? m.assignment : EMPTY_BYTES,
      })),
      authorizedOperations: includeAuthorizedOperations ? GROUP_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
    };
  }

  listed(group: ClassicGroup): ListedGroup {
    return { groupId: group.groupId, protocolType: group.protocolType ?? '', groupState: group.state, groupType: 'classic' };
  }
}

/** Kafka's KafkaApis shaping of a JoinGroupResult: before v7 a missing protocol name is "". */
function joinResponse(result: JoinResult, apiVersion: number): ResponseOf<typeof JoinGroup> {
  return {
    throttleTimeMs: 0,
    errorCode: result.errorCode,
    generationId: result.generationId,
    protocolType: result.protocolType,
    protocolName: apiVersion >= 7 ? result.protocolName : (result.protocolName ?? ''),
    leader: result.leaderId,
    skipAssignment: result.skipAssignment,
    memberId: result.memberId,
    members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
  };
}
