// The timed half of the classic protocol (Kafka's GroupCoordinator around its
// purgatories): members' session timers, the member ids handed out with
// MEMBER_ID_REQUIRED, preparing a rebalance and completing its join phase
// (the initial delayed join, the rebalance timeout), the sync deadline, and
// handing the leader's assignment (or an error) to the members awaiting it.
import { ErrorCode } from '@kstream/protocol';
import type { ClassicGroupMember, JoinResult } from './classic-group-member.js';
import type { ClassicGroup } from './classic-group.js';
import type { MembershipDeps } from './group-membership.js';

/** Kafka's NewMemberJoinTimeoutMs: a member that joined but never completed a join phase is dropped after this. */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60_000;

/** Kafka's JoinGroupResult(memberId, error): an error answer without group information. */
export function joinError(memberId: string, errorCode: number): JoinResult {
  return { errorCode, memberId, generationId: -1, protocolType: null, protocolName: null, leaderId: '', skipAssignment: false, members: [] };
}

/** The JoinGroup answer of the current generation for `member`: the leader alone gets every member's metadata. */
export function generationJoinResult(group: ClassicGroup, member: ClassicGroupMember): JoinResult {
  return {
    errorCode: ErrorCode.NONE,
    memberId: member.memberId,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leaderId: group.leaderId ?? '',
    skipAssignment: false,
    members: group.isLeader(member.memberId) ? currentMemberMetadata(group) : [],
  };
}

export function currentMemberMetadata(group: ClassicGroup): JoinResult['members'] {
  const protocol = group.protocolName ?? '';
  return group.allMembers().map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata(protocol) }));
}

/** Answers a member's parked JoinGroup, if it has one. */
export function answerJoin(member: ClassicGroupMember, result: JoinResult): void {
  const respond = member.awaitingJoin;
  member.awaitingJoin = undefined;
  respond?.(result);
}

/** Answers a member's parked SyncGroup, if it has one; true when it had. */
export function answerSync(member: ClassicGroupMember, errorCode: number, group: ClassicGroup): boolean {
  const respond = member.awaitingSync;
  if (respond === undefined) return false;
  member.awaitingSync = undefined;
  const ok = errorCode === ErrorCode.NONE;
  respond({
    errorCode,
    protocolType: ok ? group.protocolType : null,
    protocolName: ok ? group.protocolName : null,
    assignment: member.assignment,
  });
  return true;
}

/** Not thread-safe; every method runs on the coordinator's loop. */
export class GroupRebalancer {
  constructor(private readonly deps: MembershipDeps) {}

  /** Kafka's completeAndScheduleNextHeartbeatExpiration: the member's session starts over. */
  scheduleSession(group: ClassicGroup, member: ClassicGroupMember, timeoutMs = member.sessionTimeoutMs): void {
    this.cancelSession(member);
    member.sessionTimer = this.deps.timers.setTimeout(() => this.onSessionExpired(group, member), timeoutMs);
  }

  cancelSession(member: ClassicGroupMember): void {
    if (member.sessionTimer !== undefined) this.deps.timers.clearTimeout(member.sessionTimer);
    member.sessionTimer = undefined;
  }

  /** A dynamic member answered MEMBER_ID_REQUIRED: the rebalance waits for its rejoin, for one session timeout at most. */
  addPendingMember(group: ClassicGroup, memberId: string, sessionTimeoutMs: number): void {
    const timer = this.deps.timers.setTimeout(() => {
      group.pendingMembers.delete(memberId);
      if (group.state === 'Dead') return;
      this.deps.logger.info(`Pending member ${memberId} of group ${group.groupId} did not rejoin within its session timeout of ${sessionTimeoutMs} ms; removed`);
      this.tryCompleteJoin(group);
    }, sessionTimeoutMs);
    group.pendingMembers.set(memberId, timer);
  }

  /** Removes a pending member id (its rejoin or LeaveGroup) and cancels its timer. */
  removePendingMember(group: ClassicGroup, memberId: string): void {
    const timer = group.pendingMembers.get(memberId);
    if (timer !== undefined) this.deps.timers.clearTimeout(timer);
    group.pendingMembers.delete(memberId);
  }

  maybePrepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.canRebalance()) this.prepareRebalance(group, reason);
  }

  /** Kafka's prepareRebalance: members awaiting sync are told to rejoin; an Empty group waits group.initial.rebalance.delay.ms first. */
  prepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.state === 'CompletingRebalance') this.resetAndPropagateAssignmentError(group, ErrorCode.REBALANCE_IN_PROGRESS);
    this.cancelSyncDeadline(group);
    const fromEmpty = group.state === 'Empty';
    group.transitionTo('PreparingRebalance', this.deps.clock());
    this.deps.logger.info(`Preparing to rebalance group ${group.groupId} in state PreparingRebalance with old generation ${group.generationId}: ${reason}`);
    if (fromEmpty) {
      const delay = this.deps.config().groupInitialRebalanceDelayMs;
      this.scheduleInitialDelayedJoin(group, delay, delay, Math.max(group.rebalanceTimeoutMs() - delay, 0));
    } else {
      this.scheduleDelayedJoin(group);
    }
  }

  /** Kafka's DelayedJoin.tryComplete: the join phase ends as soon as every member has rejoined (not during the initial delay). */
  tryCompleteJoin(group: ClassicGroup): void {
    const timer = group.joinTimer;
    if (group.state !== 'PreparingRebalance' || timer === undefined || timer.initial || !group.hasAllMembersJoined()) return;
    this.completeJoin(group);
  }

  /** Kafka's removeMemberAndUpdateGroup: its parked requests are answered UNKNOWN_MEMBER_ID and the group rebalances without it. */
  removeMemberAndUpdateGroup(group: ClassicGroup, member: ClassicGroupMember, reason: string): void {
    answerJoin(member, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
    answerSync(member, ErrorCode.UNKNOWN_MEMBER_ID, group);
    group.remove(member.memberId);
    this.cancelSession(member);
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') this.maybePrepareRebalance(group, reason);
    else if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
  }

  /** Kafka's resetAndPropagateAssignmentError: assignments are cleared and every member awaiting sync gets `errorCode`. */
  resetAndPropagateAssignmentError(group: ClassicGroup, errorCode: number): void {
    for (const m of group.allMembers()) m.assignment = Buffer.alloc(0);
    this.propagateAssignment(group, errorCode);
  }

  /** Answers every parked SyncGroup with the member's assignment (or `errorCode`); their sessions start over. */
  propagateAssignment(group: ClassicGroup, errorCode: number): void {
    for (const m of group.allMembers()) {
      if (answerSync(m, errorCode, group)) this.scheduleSession(group, m);
    }
  }

  /** The group leaves this coordinator: every timer stops; parked requests are answered `errorCode`. */
  cancelAll(group: ClassicGroup, errorCode: number): void {
    this.cancelJoin(group);
    this.cancelSyncDeadline(group);
    for (const timer of group.pendingMembers.values()) this.deps.timers.clearTimeout(timer);
    group.pendingMembers.clear();
    for (const m of group.allMembers()) {
      this.cancelSession(m);
      answerJoin(m, joinError(m.memberId, errorCode));
      answerSync(m, errorCode, group);
    }
  }

  private onSessionExpired(group: ClassicGroup, member: ClassicGroupMember): void {
    member.sessionTimer = undefined;
    if (group.state === 'Dead' || group.member(member.memberId) !== member) return;
    // Kafka's hasSatisfiedHeartbeat: a member waiting for the rebalance to answer it cannot heartbeat meanwhile.
    if (!member.isNew && (member.awaitingJoin !== undefined || member.awaitingSync !== undefined)) return;
    this.deps.logger.info(
      `Member ${member.memberId} of group ${group.groupId} has failed (no heartbeat within ${member.isNew ? 'the new member join timeout' : `its session timeout of ${member.sessionTimeoutMs} ms`}); removing it from the group`,
    );
    this.removeMemberAndUpdateGroup(group, member, `removing member ${member.memberId} on heartbeat expiration`);
  }

  /** Kafka's InitialDelayedJoin: completes after `delayMs`, or waits again while new members keep arriving, up to the rebalance timeout. */
  private scheduleInitialDelayedJoin(group: ClassicGroup, configuredDelayMs: number, delayMs: number, remainingMs: number): void {
    const handle = this.deps.timers.setTimeout(() => {
      group.joinTimer = undefined;
      if (group.newMemberAdded && remainingMs !== 0) {
        group.newMemberAdded = false;
        const delay = Math.min(configuredDelayMs, remainingMs);
        this.scheduleInitialDelayedJoin(group, configuredDelayMs, delay, Math.max(remainingMs - delayMs, 0));
      } else {
        this.completeJoin(group);
      }
    }, delayMs);
    group.joinTimer = { handle, initial: true };
  }

  /** Kafka's DelayedJoin: completes when every member rejoined, or after the rebalance timeout. */
  private scheduleDelayedJoin(group: ClassicGroup): void {
    const handle = this.deps.timers.setTimeout(() => {
      group.joinTimer = undefined;
      this.completeJoin(group);
    }, group.rebalanceTimeoutMs());
    group.joinTimer = { handle, initial: false };
    this.tryCompleteJoin(group);
  }

  private cancelJoin(group: ClassicGroup): void {
    if (group.joinTimer !== undefined) this.deps.timers.clearTimeout(group.joinTimer.handle);
    group.joinTimer = undefined;
  }

  private cancelSyncDeadline(group: ClassicGroup): void {
    if (group.syncTimer !== undefined) this.deps.timers.clearTimeout(group.syncTimer);
    group.syncTimer = undefined;
  }

  /** Kafka's onCompleteJoin: dynamic members that did not rejoin leave; the next generation starts (or the group is Empty). */
  private completeJoin(group: ClassicGroup): void {
    this.cancelJoin(group);
    if (group.state !== 'PreparingRebalance') return;
    const notRejoined = group.allMembers().filter((m) => m.awaitingJoin === undefined && !m.isStatic);
    if (notRejoined.length > 0) {
      this.deps.logger.info(`Group ${group.groupId} removed dynamic members who did not rejoin within the rebalance timeout: ${notRejoined.map((m) => m.memberId).join(', ')}`);
      for (const m of notRejoined) {
        group.remove(m.memberId);
        this.cancelSession(m);
      }
    }
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      this.deps.logger.error(
        `Group ${group.groupId} could not complete its rebalance because no members rejoined; waiting another rebalance timeout of ${group.rebalanceTimeoutMs()} ms for the session timeouts to remove them`,
      );
      this.scheduleDelayedJoin(group);
      return;
    }
    const now = this.deps.clock();
    group.initNextGeneration(now);
    if (group.size === 0) {
      this.deps.logger.info(`Group ${group.groupId} with generation ${group.generationId} is now empty`);
      this.deps.onGroupEmptied?.(group);
      return;
    }
    this.deps.logger.info(`Stabilized group ${group.groupId} generation ${group.generationId} with ${group.size} members`);
    for (const m of group.allMembers()) {
      answerJoin(m, generationJoinResult(group, m));
      this.scheduleSession(group, m);
      m.isNew = false;
      group.pendingSyncMembers.add(m.memberId);
    }
    this.scheduleSyncDeadline(group);
  }

  /** Kafka's schedulePendingSync: members that did not send SyncGroup within the rebalance timeout are removed and the group rebalances. */
  private scheduleSyncDeadline(group: ClassicGroup): void {
    const generation = group.generationId;
    group.syncTimer = this.deps.timers.setTimeout(() => {
      group.syncTimer = undefined;
      if (generation !== group.generationId || (group.state !== 'CompletingRebalance' && group.state !== 'Stable')) return;
      if (group.pendingSyncMembers.size === 0) return;
      const missing = [...group.pendingSyncMembers];
      for (const memberId of missing) {
        const member = group.member(memberId);
        group.remove(memberId);
        if (member !== undefined) this.cancelSession(member);
      }
      this.prepareRebalance(group, `removing ${missing.join(', ')}: no SyncGroup within the rebalance timeout`);
    }, group.rebalanceTimeoutMs());
  }
}
