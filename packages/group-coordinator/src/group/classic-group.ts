// A group under Kafka's classic protocol (Kafka's GroupMetadata): its state,
// generation, chosen protocol, leader and members. The rules of joining,
// syncing and leaving live in group-membership.ts; this class keeps the
// bookkeeping they share and refuses the state changes Kafka forbids.
import { decodeSubscription, ProtocolError } from '@kstream/protocol';
import type { GroupMetadataValue } from '../records/index.js';
import { ClassicGroupMember, EMPTY_BYTES } from './classic-group-member.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** Kafka's GroupState.validPreviousStates: the states each state may be entered from. */
const VALID_PREVIOUS_STATES: Readonly<Record<GroupState, readonly GroupState[]>> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

const CONSUMER_PROTOCOL_TYPE = 'consumer';

export class IllegalGroupStateTransitionError extends Error {
  constructor(groupId: string, from: GroupState, to: GroupState) {
    super(`group ${groupId} cannot move from ${from} to ${to}: ${to} is entered only from ${VALID_PREVIOUS_STATES[to].join(', ')}`);
    this.name = 'IllegalGroupStateTransitionError';
  }
}

/** Not thread-safe; owned by the coordinator's loop. */
export class ClassicGroup {
  private currentState: GroupState = 'Empty';
  private generation = 0;
  private type: string | null = null;
  private protocol: string | null = null;
  private leader: string | null = null;
  private stateTimestamp: number;
  /** In join order: the first one left becomes leader when the leader goes. */
  private readonly members = new Map<string, ClassicGroupMember>();
  /** group.instance.id → its current member id. */
  private readonly staticMembers = new Map<string, string>();
  private subscribedTopics: ReadonlySet<string> | undefined;
  /** Member ids answered MEMBER_ID_REQUIRED, awaiting their rejoin; the value is their session timer. */
  readonly pendingMembers = new Map<string, unknown>();
  /** Members of the current generation that have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>();
  /** A member joined during the initial delayed join: the delay may extend. */
  newMemberAdded = false;
  /** The timer of the rebalance's join phase: the initial delay (which rejoins do not cut short) or the rebalance timeout. */
  joinTimer: { readonly handle: unknown; readonly initial: boolean } | undefined;
  /** The timer that removes members that did not sync within the rebalance timeout. */
  syncTimer: unknown;

  constructor(
    readonly groupId: string,
    now: number,
  ) {
    this.stateTimestamp = now;
  }

  /** A group loaded from __consumer_offsets: Empty without members, else Stable in its stored generation. */
  static fromRecord(groupId: string, value: GroupMetadataValue, now: number): ClassicGroup {
    const group = new ClassicGroup(groupId, now);
    group.generation = value.generation;
    group.type = value.protocolType === '' ? null : value.protocolType;
    group.protocol = value.protocol;
    group.leader = value.leader;
    group.stateTimestamp = value.currentStateTimestamp >= 0n ? Number(value.currentStateTimestamp) : now;
    for (const stored of value.members) {
      const member = new ClassicGroupMember(
        stored.memberId,
        stored.groupInstanceId,
        stored.clientId,
        stored.clientHost,
        stored.rebalanceTimeout,
        stored.sessionTimeout,
        value.protocolType,
        value.protocol === null ? [] : [{ name: value.protocol, metadata: asBuffer(stored.subscription) }],
      );
      member.assignment = asBuffer(stored.assignment);
      group.add(member);
    }
    if (group.members.size > 0) group.currentState = 'Stable';
    group.subscribedTopics = group.computeSubscribedTopics();
    return group;
  }

  get state(): GroupState {
    return this.currentState;
  }
  get generationId(): number {
    return this.generation;
  }
  get protocolType(): string | null {
    return this.type;
  }
  get protocolName(): string | null {
    return this.protocol;
  }
  get leaderId(): string | null {
    return this.leader;
  }
  get currentStateTimestamp(): number {
    return this.stateTimestamp;
  }
  get size(): number {
    return this.members.size;
  }

  hasMember(memberId: string): boolean {
    return this.members.has(memberId);
  }

  member(memberId: string): ClassicGroupMember | undefined {
    return this.members.get(memberId);
  }

  allMembers(): ClassicGroupMember[] {
    return [...this.members.values()];
  }

  memberIdOfInstance(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId);
  }

  isLeader(memberId: string): boolean {
    return this.leader === memberId;
  }

  /** Kafka's isStaticMemberFenced: the instance id belongs to another member id now. */
  isStaticMemberFenced(groupInstanceId: string | null, memberId: string): boolean {
    if (groupInstanceId === null) return false;
    const current = this.staticMembers.get(groupInstanceId);
    return current !== undefined && current !== memberId;
  }

  /** For a "consumer" group: whether any member's subscription names `topic`; undefined when not knowable. */
  isSubscribedTo(topic: string): boolean | undefined {
    return this.subscribedTopics?.has(topic);
  }

  transitionTo(state: GroupState, now: number): void {
    if (!VALID_PREVIOUS_STATES[state].includes(this.currentState)) {
      throw new IllegalGroupStateTransitionError(this.groupId, this.currentState, state);
    }
    this.currentState = state;
    this.stateTimestamp = now;
  }

  /** Whether a rebalance may start from the current state. */
  canRebalance(): boolean {
    return VALID_PREVIOUS_STATES.PreparingRebalance.includes(this.currentState);
  }

  /** Adds a member; the first one fixes the group's protocol type and the first one while none leads becomes leader. */
  add(member: ClassicGroupMember): void {
    if (this.members.size === 0) this.type = member.protocolType;
    if (this.leader === null) this.leader = member.memberId;
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    this.pendingMembers.delete(member.memberId);
  }

  /** Removes a member (and its instance id); the leader's place passes to the earliest member left. */
  remove(memberId: string): void {
    const member = this.members.get(memberId);
    if (member === undefined) return;
    this.members.delete(memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId);
    }
    this.pendingSyncMembers.delete(memberId);
    if (this.leader === memberId) this.leader = this.members.keys().next().value ?? null;
  }

  /** A static member rejoined with a new member id: the member keeps its place (and leadership) under `newMemberId`. */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): ClassicGroupMember {
    const member = this.members.get(oldMemberId);
    if (member === undefined) {
      throw new Error(`group ${this.groupId} has no member ${oldMemberId} for group.instance.id ${groupInstanceId} to replace`);
    }
    this.members.delete(oldMemberId);
    member.memberId = newMemberId;
    this.members.set(newMemberId, member);
    this.staticMembers.set(groupInstanceId, newMemberId);
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId);
    if (this.leader === oldMemberId) this.leader = newMemberId;
    return member;
  }

  numAwaitingJoin(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.awaitingJoin !== undefined) n++;
    return n;
  }

  /** Every member has rejoined and no member id handed out is still awaited. */
  hasAllMembersJoined(): boolean {
    return this.numAwaitingJoin() === this.members.size && this.pendingMembers.size === 0;
  }

  /** The longest rebalance timeout among the members: how long a rebalance waits for rejoins. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** Keeps the leader if it rejoined, else makes the first rejoined member leader; false when none rejoined. */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leader !== null && this.members.get(this.leader)?.awaitingJoin !== undefined) return true;
    const joined = this.allMembers().find((m) => m.awaitingJoin !== undefined);
    if (joined === undefined) return false;
    this.leader = joined.memberId;
    return true;
  }

  /** Kafka's supportsProtocols: a joiner must share the group's protocol type and one protocol every member supports. */
  supportsProtocols(protocolType: string, protocolNames: readonly string[]): boolean {
    if (this.currentState === 'Empty') return protocolType !== '' && protocolNames.length > 0;
    if (this.type !== protocolType) return false;
    const candidates = this.candidateProtocols();
    return protocolNames.some((name) => candidates.has(name));
  }

  /** The protocols every member supports. */
  candidateProtocols(): Set<string> {
    const counts = new Map<string, number>();
    for (const m of this.members.values()) {
      for (const p of new Set(m.protocols.map((q) => q.name))) counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    return new Set([...counts].filter(([, n]) => n === this.members.size).map(([name]) => name));
  }

  /** Kafka's selectProtocol: each member votes for its most preferred candidate; most votes wins (ties: first voted). */
  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const vote = m.vote(candidates);
      if (vote !== undefined) votes.set(vote, (votes.get(vote) ?? 0) + 1);
    }
    let chosen: string | undefined;
    for (const [name, n] of votes) if (chosen === undefined || n > votes.get(chosen)!) chosen = name;
    if (chosen === undefined) throw new Error(`group ${this.groupId} has no protocol that all ${this.members.size} members support`);
    return chosen;
  }

  /** Kafka's initNextGeneration: the next generation with the chosen protocol (CompletingRebalance), or Empty without members. */
  initNextGeneration(now: number): void {
    this.generation += 1;
    this.protocol = this.members.size > 0 ? this.selectProtocol() : null;
    this.subscribedTopics = this.computeSubscribedTopics();
    this.transitionTo(this.members.size > 0 ? 'CompletingRebalance' : 'Empty', now);
    this.pendingSyncMembers.clear();
  }

  toRecordValue(): GroupMetadataValue {
    const protocol = this.protocol;
    return {
      protocolType: this.type ?? '',
      generation: this.generation,
      protocol,
      leader: this.leader,
      currentStateTimestamp: BigInt(this.stateTimestamp),
      members: this.allMembers().map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: protocol === null ? EMPTY_BYTES : m.metadata(protocol),
        assignment: m.assignment,
      })),
    };
  }

  /** Kafka's computeSubscribedTopics: every member's subscribed topics for a "consumer" group; undefined when not knowable. */
  private computeSubscribedTopics(): ReadonlySet<string> | undefined {
    if (this.type !== CONSUMER_PROTOCOL_TYPE) return undefined;
    if (this.members.size === 0) return new Set();
    const protocol = this.protocol;
    if (protocol === null) return undefined;
    const topics = new Set<string>();
    try {
      for (const m of this.members.values()) for (const t of decodeSubscription(m.metadata(protocol)).topics) topics.add(t);
    } catch (error) {
      if (error instanceof ProtocolError) return undefined;
      throw error;
    }
    return topics;
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
