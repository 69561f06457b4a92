// LeaveGroup under the classic protocol (Kafka's GroupCoordinator.handleLeaveGroup):
// members leave by member id, or (v3+, an admin removing static members) by
// group.instance.id with an empty member id; each gets its own error code.
import { ErrorCode } from '@kstream/protocol';
import type { ClassicGroup } from './classic-group.js';
import type { GroupRebalancer } from './membership-rebalance.js';
import type { MembershipDeps } from './group-membership.js';

export interface LeavingMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly reason: string | null;
}

export interface LeaveOutcome {
  readonly errorCode: number;
  readonly members: readonly { readonly memberId: string; readonly groupInstanceId: string | null; readonly errorCode: number }[];
}

export function leaveMembers(deps: MembershipDeps, rebalancer: GroupRebalancer, group: ClassicGroup, leaving: readonly LeavingMember[]): LeaveOutcome {
  if (group.state === 'Dead') return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
  const members = leaving.map((l) => ({ memberId: l.memberId, groupInstanceId: l.groupInstanceId, errorCode: leaveOne(deps, rebalancer, group, l) }));
  return { errorCode: ErrorCode.NONE, members };
}

function leaveOne(deps: MembershipDeps, rebalancer: GroupRebalancer, group: ClassicGroup, leaving: LeavingMember): number {
  const reason = leaving.reason ?? 'not provided';
  const removeCurrent = (memberId: string): number => {
    rebalancer.removeMemberAndUpdateGroup(group, group.member(memberId)!, `removing member ${memberId} on LeaveGroup; client reason: ${reason}`);
    deps.logger.info(`Member ${memberId} has left group ${group.groupId} through LeaveGroup; client reason: ${reason}`);
    return ErrorCode.NONE;
  };
  if (leaving.memberId === '') {
    const current = leaving.groupInstanceId === null ? undefined : group.memberIdOfInstance(leaving.groupInstanceId);
    return current === undefined ? ErrorCode.UNKNOWN_MEMBER_ID : removeCurrent(current);
  }
  if (group.pendingMembers.has(leaving.memberId)) {
    rebalancer.removePendingMember(group, leaving.memberId);
    if (group.state === 'PreparingRebalance') rebalancer.tryCompleteJoin(group);
    deps.logger.info(`Pending member ${leaving.memberId} has left group ${group.groupId} through LeaveGroup; client reason: ${reason}`);
    return ErrorCode.NONE;
  }
  if (group.isStaticMemberFenced(leaving.groupInstanceId, leaving.memberId)) return ErrorCode.FENCED_INSTANCE_ID;
  return group.hasMember(leaving.memberId) ? removeCurrent(leaving.memberId) : ErrorCode.UNKNOWN_MEMBER_ID;
}
