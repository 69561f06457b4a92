// JoinGroup under the classic protocol (Kafka's GroupCoordinator.handleJoinGroup
// and its doNewMemberJoinGroup / doCurrentMemberJoinGroup / static-member paths).
import { randomUUID } from 'node:crypto';
import { ErrorCode, errorInfo, type JoinGroup, type RequestOf } from '@kstream/protocol';
import { ClassicGroupMember, type JoinResult, type MemberProtocol } from './classic-group-member.js';
import type { ClassicGroup } from './classic-group.js';
import type { GroupRequestContext } from './coordinator-types.js';
import type { MembershipDeps } from './group-membership.js';
import { answerJoin, answerSync, currentMemberMetadata, generationJoinResult, type GroupRebalancer, joinError, NEW_MEMBER_JOIN_TIMEOUT_MS } from './membership-rebalance.js';

type JoinRequest = RequestOf<typeof JoinGroup>;
type Respond = (result: JoinResult) => void;

/** One JoinGroup as the coordinator reads it. */
interface Joiner {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly rebalanceTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: readonly MemberProtocol[];
  /** v4+ dynamic members must first be given a member id (MEMBER_ID_REQUIRED). */
  readonly requireKnownMemberId: boolean;
  /** v9+: a static leader rejoining a Stable group is told to skip the assignment. */
  readonly supportSkippingAssignment: boolean;
  readonly reason: string;
}

export class MembershipJoin {
  constructor(
    private readonly deps: MembershipDeps,
    private readonly rebalancer: GroupRebalancer,
  ) {}

  join(group: ClassicGroup, request: JoinRequest, context: GroupRequestContext, respond: Respond): void {
    const joiner = readJoiner(request, context);
    const config = this.deps.config();
    if (request.groupId === '') return respond(joinError(joiner.memberId, ErrorCode.INVALID_GROUP_ID));
    if (joiner.sessionTimeoutMs < config.groupMinSessionTimeoutMs || joiner.sessionTimeoutMs > config.groupMaxSessionTimeoutMs) {
      return respond(joinError(joiner.memberId, ErrorCode.INVALID_SESSION_TIMEOUT));
    }
    if (!this.acceptJoiningMember(group, joiner.memberId, config.groupMaxSize)) {
      const member = group.member(joiner.memberId);
      if (member !== undefined) {
        group.remove(member.memberId);
        this.rebalancer.cancelSession(member);
      }
      this.deps.logger.info(`Member ${joiner.memberId || joiner.clientId} cannot join group ${group.groupId}: it has reached group.max.size=${config.groupMaxSize}`);
      respond(joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED));
    } else if (joiner.memberId === '') {
      this.newMemberJoin(group, joiner, respond);
    } else {
      this.currentMemberJoin(group, joiner, respond);
    }
    if (group.state === 'PreparingRebalance') this.rebalancer.tryCompleteJoin(group);
  }

  /** Kafka's acceptJoiningMember: group.max.size counts rejoined members while rebalancing, all members otherwise. */
  private acceptJoiningMember(group: ClassicGroup, memberId: string, maxSize: number): boolean {
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance':
        return group.member(memberId)?.awaitingJoin !== undefined || group.numAwaitingJoin() < maxSize;
      case 'CompletingRebalance':
      case 'Stable':
        return group.hasMember(memberId) || group.size < maxSize;
    }
  }

  private newMemberJoin(group: ClassicGroup, joiner: Joiner, respond: Respond): void {
    if (group.state === 'Dead') return respond(joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (
      !group.supportsProtocols(
        joiner.protocolType,
        joiner.protocols.map((p) => p.name),
      )
    ) {
      return respond(joinError('', ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    const newMemberId = `${joiner.groupInstanceId ?? joiner.clientId}-${randomUUID()}`;
    if (joiner.groupInstanceId !== null) {
      const oldMemberId = group.memberIdOfInstance(joiner.groupInstanceId);
      if (oldMemberId !== undefined) {
        this.deps.logger.info(
          `Static member ${joiner.groupInstanceId} of group ${group.groupId} rejoins in state ${group.state}; member id ${oldMemberId} is replaced by ${newMemberId}`,
        );
        this.replaceStaticMember(group, joiner.groupInstanceId, oldMemberId, { ...joiner, memberId: newMemberId }, respond);
        return;
      }
    } else if (joiner.requireKnownMemberId) {
      this.rebalancer.addPendingMember(group, newMemberId, joiner.sessionTimeoutMs);
      return respond(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED));
    }
    this.addMemberAndRebalance(group, { ...joiner, memberId: newMemberId }, respond);
  }

  private currentMemberJoin(group: ClassicGroup, joiner: Joiner, respond: Respond): void {
    const { memberId, groupInstanceId } = joiner;
    if (group.state === 'Dead') return respond(joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (
      !group.supportsProtocols(
        joiner.protocolType,
        joiner.protocols.map((p) => p.name),
      )
    ) {
      return respond(joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    if (group.pendingMembers.has(memberId)) {
      // A pending member is dynamic: it was given its id by MEMBER_ID_REQUIRED.
      this.rebalancer.removePendingMember(group, memberId);
      return this.addMemberAndRebalance(group, { ...joiner, groupInstanceId: null }, respond);
    }
    if (group.isStaticMemberFenced(groupInstanceId, memberId)) return respond(joinError(memberId, ErrorCode.FENCED_INSTANCE_ID));
    const member = group.member(memberId);
    const unknownInstance = groupInstanceId !== null && group.memberIdOfInstance(groupInstanceId) === undefined;
    if (member === undefined || unknownInstance) return respond(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, joiner, respond, `member ${memberId} joining during PreparingRebalance`);
      case 'CompletingRebalance':
        // The same metadata again: it missed the JoinGroup answer of this generation.
        if (member.matches(joiner.protocols)) return respond(generationJoinResult(group, member));
        return this.updateMemberAndRebalance(group, member, joiner, respond, `member ${memberId} updating its metadata during CompletingRebalance`);
      case 'Stable':
        // The leader's rejoin always rebalances: that is how it reacts to changes its members' metadata does not show.
        if (group.isLeader(memberId)) {
          return this.updateMemberAndRebalance(group, member, joiner, respond, `leader ${memberId} rejoining during Stable`);
        }
        if (!member.matches(joiner.protocols)) {
          return this.updateMemberAndRebalance(group, member, joiner, respond, `member ${memberId} updating its metadata during Stable`);
        }
        return respond({ ...generationJoinResult(group, member), members: [] });
      case 'Empty':
        return respond(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  private addMemberAndRebalance(group: ClassicGroup, joiner: Joiner, respond: Respond): void {
    const member = new ClassicGroupMember(
      joiner.memberId,
      joiner.groupInstanceId,
      joiner.clientId,
      joiner.clientHost,
      joiner.rebalanceTimeoutMs,
      joiner.sessionTimeoutMs,
      joiner.protocolType,
      joiner.protocols,
    );
    member.isNew = true;
    if (group.state === 'PreparingRebalance' && group.generationId === 0) group.newMemberAdded = true;
    group.add(member);
    member.awaitingJoin = respond;
    // It cannot heartbeat before its first generation; a join phase it never completes drops it.
    this.rebalancer.scheduleSession(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
    this.rebalancer.maybePrepareRebalance(group, `adding new member ${member.memberId} with group instance id ${member.groupInstanceId}; client reason: ${joiner.reason}`);
  }

  private updateMemberAndRebalance(group: ClassicGroup, member: ClassicGroupMember, joiner: Joiner, respond: Respond, reason: string): void {
    this.updateMember(member, joiner, respond);
    this.rebalancer.maybePrepareRebalance(group, `${reason}; client reason: ${joiner.reason}`);
  }

  /** Kafka's updateMember. A join the member had parked already is answered first: the member gave up on it. */
  private updateMember(member: ClassicGroupMember, joiner: Joiner, respond: Respond | undefined): void {
    answerJoin(member, joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS));
    member.protocols = joiner.protocols;
    member.rebalanceTimeoutMs = joiner.rebalanceTimeoutMs;
    member.sessionTimeoutMs = joiner.sessionTimeoutMs;
    member.awaitingJoin = respond;
  }

  /**
   * Kafka's updateStaticMemberAndRebalance: the instance's member takes the new id (the old one is fenced).
   * In a Stable group whose chosen protocol stays, that is stored without a rebalance.
   */
  private replaceStaticMember(group: ClassicGroup, groupInstanceId: string, oldMemberId: string, joiner: Joiner, respond: Respond): void {
    const previousLeader = group.leaderId ?? '';
    const member = group.member(oldMemberId)!;
    answerJoin(member, joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID));
    answerSync(member, ErrorCode.FENCED_INSTANCE_ID, group);
    group.replaceStaticMember(groupInstanceId, oldMemberId, joiner.memberId);
    this.rebalancer.scheduleSession(group, member);
    const previous: Joiner = { ...joiner, protocols: member.protocols, rebalanceTimeoutMs: member.rebalanceTimeoutMs, sessionTimeoutMs: member.sessionTimeoutMs };
    this.updateMember(member, joiner, respond);
    switch (group.state) {
      case 'Stable':
        if (group.selectProtocol() !== group.protocolName) {
          return this.rebalancer.maybePrepareRebalance(group, `static member ${groupInstanceId} rejoined with protocols that change the group's`);
        }
        void this.storeReplacedStaticMember(group, member, { groupInstanceId, oldMemberId, previousLeader, previous, respond, joiner });
        return;
      case 'CompletingRebalance':
        // The leader may be assigning to the old member id: the new one would get nothing.
        return this.rebalancer.prepareRebalance(group, `static member ${groupInstanceId} rejoined during CompletingRebalance`);
      case 'PreparingRebalance':
        return;
      case 'Empty':
      case 'Dead':
        throw new Error(`group ${group.groupId} is ${group.state} while static member ${groupInstanceId} rejoins; it should have no members`);
    }
  }

  private async storeReplacedStaticMember(
    group: ClassicGroup,
    member: ClassicGroupMember,
    replaced: { groupInstanceId: string; oldMemberId: string; previousLeader: string; previous: Joiner; respond: Respond; joiner: Joiner },
  ): Promise<void> {
    const errorCode = await this.deps.storeGroup(group);
    // Answered meanwhile: a rebalance, an unload or another restart of the same instance took over.
    if (member.awaitingJoin !== replaced.respond) return;
    if (errorCode !== ErrorCode.NONE) {
      this.deps.logger.warn(
        `Failed to store group ${group.groupId} after static member ${replaced.groupInstanceId} rejoined (${errorInfo(errorCode).name}); member id ${replaced.oldMemberId} is restored`,
      );
      member.awaitingJoin = undefined;
      this.updateMember(member, replaced.previous, undefined);
      if (group.member(member.memberId) === member) {
        group.replaceStaticMember(replaced.groupInstanceId, member.memberId, replaced.oldMemberId);
        this.rebalancer.scheduleSession(group, member);
      }
      return replaced.respond({ ...generationJoinResult(group, member), errorCode, memberId: '', leaderId: replaced.previousLeader, members: [] });
    }
    const newMemberId = member.memberId;
    if (replaced.joiner.supportSkippingAssignment) {
      // v9+: the leader learns it leads (to keep watching metadata) but must not assign: the group is Stable.
      const isLeader = group.isLeader(newMemberId);
      answerJoin(member, { ...generationJoinResult(group, member), skipAssignment: isLeader, members: isLeader ? currentMemberMetadata(group) : [] });
    } else {
      // Before v9 the old leader id is returned, so that a restarted leader does not assign to a Stable group.
      answerJoin(member, { ...generationJoinResult(group, member), leaderId: replaced.previousLeader, members: [] });
    }
  }
}

function readJoiner(request: JoinRequest, context: GroupRequestContext): Joiner {
  return {
    memberId: request.memberId,
    groupInstanceId: request.groupInstanceId,
    clientId: context.clientId,
    clientHost: context.clientHost,
    // JoinGroup v0 has no rebalance timeout: the session timeout serves as both.
    rebalanceTimeoutMs: context.apiVersion === 0 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs,
    sessionTimeoutMs: request.sessionTimeoutMs,
    protocolType: request.protocolType,
    protocols: request.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
    requireKnownMemberId: context.apiVersion >= 4 && request.groupInstanceId === null,
    supportSkippingAssignment: context.apiVersion >= 9,
    reason: request.reason ?? 'not provided',
  };
}
