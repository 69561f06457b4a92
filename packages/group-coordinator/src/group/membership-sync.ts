// SyncGroup and Heartbeat under the classic protocol (Kafka's
// GroupCoordinator.handleSyncGroup / handleHeartbeat).
import { ErrorCode, errorInfo, type Heartbeat, type RequestOf, type SyncGroup } from '@kstream/protocol';
import { EMPTY_BYTES, type ClassicGroupMember, type SyncResult } from './classic-group-member.js';
import type { ClassicGroup } from './classic-group.js';
import type { GroupRequestContext } from './coordinator-types.js';
import type { MembershipDeps } from './group-membership.js';
import type { GroupRebalancer } from './membership-rebalance.js';

type Respond = (result: SyncResult) => void;

const syncError = (errorCode: number): SyncResult => ({ errorCode, protocolType: null, protocolName: null, assignment: EMPTY_BYTES });

export class MembershipSync {
  constructor(
    private readonly deps: MembershipDeps,
    private readonly rebalancer: GroupRebalancer,
  ) {}

  sync(group: ClassicGroup, request: RequestOf<typeof SyncGroup>, context: GroupRequestContext, respond: Respond): void {
    // v5+ must name the protocol type and name it syncs for.
    if (context.apiVersion >= 5 && (request.protocolType === null || request.protocolName === null)) {
      return respond(syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    const { memberId } = request;
    if (group.state === 'Dead') return respond(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (group.isStaticMemberFenced(request.groupInstanceId, memberId)) return respond(syncError(ErrorCode.FENCED_INSTANCE_ID));
    const member = group.member(memberId);
    if (member === undefined) return respond(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    if (request.generationId !== group.generationId) return respond(syncError(ErrorCode.ILLEGAL_GENERATION));
    if ((request.protocolType !== null && request.protocolType !== group.protocolType) || (request.protocolName !== null && request.protocolName !== group.protocolName)) {
      return respond(syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    switch (group.state) {
      case 'Empty':
        return respond(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
      case 'PreparingRebalance':
        return respond(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      case 'CompletingRebalance':
        // A SyncGroup it parked before is one it gave up on.
        member.awaitingSync?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        member.awaitingSync = respond;
        group.pendingSyncMembers.delete(memberId);
        if (group.isLeader(memberId)) void this.storeLeaderAssignment(group, member, request.assignments);
        return;
      case 'Stable':
        group.pendingSyncMembers.delete(memberId);
        respond({ errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment });
        return this.rebalancer.scheduleSession(group, member);
    }
  }

  heartbeat(group: ClassicGroup, request: RequestOf<typeof Heartbeat>): number {
    if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (group.isStaticMemberFenced(request.groupInstanceId, request.memberId)) return ErrorCode.FENCED_INSTANCE_ID;
    const member = group.member(request.memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (request.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    switch (group.state) {
      case 'Empty':
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case 'PreparingRebalance':
        // Its session goes on while it is told to rejoin.
        this.rebalancer.scheduleSession(group, member);
        return ErrorCode.REBALANCE_IN_PROGRESS;
      case 'CompletingRebalance':
      case 'Stable':
        this.rebalancer.scheduleSession(group, member);
        return ErrorCode.NONE;
    }
  }

  /**
   * The leader's assignment: stored (acks=all) with the group, then handed to every member awaiting it and the
   * group is Stable. A failed store answers its error to all and the group rebalances again.
   */
  private async storeLeaderAssignment(group: ClassicGroup, leader: ClassicGroupMember, assignments: RequestOf<typeof SyncGroup>['assignments']): Promise<void> {
    const generation = group.generationId;
    const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    const missing: string[] = [];
    for (const m of group.allMembers()) {
      const assignment = byMember.get(m.memberId);
      if (assignment === undefined) missing.push(m.memberId);
      m.assignment = assignment ?? EMPTY_BYTES;
    }
    this.deps.logger.info(`Assignment received from leader ${leader.memberId} for group ${group.groupId} generation ${generation}; the group has ${group.size} members`);
    if (missing.length > 0) {
      this.deps.logger.warn(
        `Leader ${leader.memberId} of group ${group.groupId} gave no assignment to members ${missing.join(', ')} in generation ${generation}; they get an empty one`,
      );
    }
    const errorCode = await this.deps.storeGroup(group);
    // A join, a leave or an unload meanwhile started another phase, which answered the parked syncs.
    if (group.state !== 'CompletingRebalance' || group.generationId !== generation) return;
    if (errorCode !== ErrorCode.NONE) {
      this.deps.logger.warn(`Failed to store the assignment of group ${group.groupId} generation ${generation} (${errorInfo(errorCode).name}); the group rebalances again`);
      this.rebalancer.resetAndPropagateAssignmentError(group, errorCode);
      this.rebalancer.maybePrepareRebalance(group, `${errorInfo(errorCode).name} when storing the group's assignment during SyncGroup (leader ${leader.memberId})`);
      return;
    }
    group.transitionTo('Stable', this.deps.clock());
    this.rebalancer.propagateAssignment(group, ErrorCode.NONE);
  }
}
