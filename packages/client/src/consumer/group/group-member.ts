// One consumer's membership of its group under Kafka's classic protocol (the
// Java client's AbstractCoordinator and ConsumerCoordinator): join and sync,
// the leader's assignment, heartbeats on their own timer, max.poll.interval,
// auto-commit, and the partitions moving in and out of the consumer.
import { ErrorCode } from '@kstream/protocol';
import { KafkaClientError, KafkaClosedError, KafkaProtocolError, backoffDelay } from '../../errors/index.js';
import type { ClientLogger } from '../../options/index.js';
import { type TopicPartition, partitionKey } from '../assignors/assignor.js';
import { rebalanceProtocolOf } from '../assignors/assignors.js';
import { DEFAULT_API_TIMEOUT_MS, callCoordinator, coordinatorMoved } from './coordinator-call.js';
import type { GroupHost } from './group-host.js';
import { type GroupMemberOptions, type ResolvedGroupMemberOptions, resolveGroupMemberOptions } from './group-member-options.js';
import { heartbeat, leaveGroup, type Membership } from './group-requests.js';
import { type Joined, joinAndSync } from './join-round.js';
import { type CommittedOffset, type OffsetToCommit, commitOffsets, fetchOffsets } from './offset-requests.js';

const NO_GENERATION = -1;

/**
 * One join at a time: ensureActive and the member's own rejoins share it.
 * A heartbeat that finds the group rebalancing starts the rejoin itself (a
 * member with no partitions would otherwise never be asked to); an expired
 * max.poll.interval leaves the group at once, as the Java client's
 * heartbeat thread does, and the rejoin waits for the application's next
 * poll.
 */
export class GroupMember {
  private readonly options: ResolvedGroupMemberOptions;
  private readonly protocol: 'eager' | 'cooperative';
  private readonly logger: ClientLogger;
  private readonly closing = new AbortController();

  private memberIdValue = '';
  private generation = NO_GENERATION;
  private joinedOnce = false;
  /** The partitions this member owns: assigned to it and handed to the host. */
  private owned: TopicPartition[] = [];
  /** Why the member must (re)join before it fetches again; null when it need not. */
  private rejoinReason: string | null = 'the consumer subscribed';
  /** Set when the coordinator no longer knows this generation: owned partitions are lost, not revoked. */
  private generationLost = false;
  private fatal: KafkaClientError | null = null;
  private closed = false;
  private started = false;
  /** Left the group for want of a poll: it rejoins only when the application polls again, as Kafka's does. */
  private pollExpired = false;
  private joining: Promise<void> | null = null;
  /** While a join runs its callbacks, a commit that hits REBALANCE_IN_PROGRESS cannot wait for that join. */
  private inJoin = false;
  private joinedTopics = '';
  private leaderPartitionCounts: ReadonlyMap<string, number> | null = null;

  /** A thrown rebalance listener, rethrown by ensureActive once the join is done (as the Java client's poll does). */
  private listenerError: unknown = null;

  private lastJoinValue: { leaderId: string; protocolName: string } | null = null;
  /** What the interval auto-commit last committed, by partition key; a partition given up is forgotten. */
  private readonly autoCommitted = new Map<string, bigint>();

  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** Bumped when heartbeats stop: an answer to a heartbeat from before is ignored. */
  private heartbeatSession = 0;
  private pollTimer: NodeJS.Timeout | undefined;
  private autoCommitTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly host: GroupHost,
    options: GroupMemberOptions,
  ) {
    this.options = resolveGroupMemberOptions(options);
    this.protocol = rebalanceProtocolOf(this.options.assignors);
    this.logger = this.options.logger ?? host.cluster.options.logger;
  }

  get memberId(): string {
    return this.memberIdValue;
  }

  get generationId(): number {
    return this.generation;
  }

  /** The last completed join: its leader and chosen assignor (for instrumentation, e.g. kafkajs's GROUP_JOIN); null before the first. */
  get lastJoin(): { leaderId: string; protocolName: string } | null {
    return this.lastJoinValue;
  }

  /** A join is running or due. Not while the member waits for a poll to rejoin, nor once it is closed or fenced: ensureActive has nothing to do then. */
  get rebalancing(): boolean {
    if (this.closed || this.fatal !== null) return false;
    return this.joining !== null || (this.rejoinReason !== null && !this.pollExpired);
  }

  /** The partitions the member owns in its current generation. */
  get assignment(): TopicPartition[] {
    return [...this.owned];
  }

  /** Joins the group (subscribe). A consumer with manually assigned partitions never starts its member: it only commits and fetches offsets. */
  async start(): Promise<void> {
    this.started = true;
    this.polled();
    await this.ensureActive();
  }

  async ensureActive(): Promise<void> {
    this.throwIfUnusable();
    this.noticeChanges();
    await this.joinWhileNeeded();
    this.throwIfUnusable();
    if (this.listenerError !== null) {
      const error = this.listenerError;
      this.listenerError = null;
      throw error;
    }
  }

  /** The application asked for records: it is alive, so the max.poll.interval timer starts over. */
  polled(): void {
    if (this.closed) return;
    if (this.pollExpired) {
      this.pollExpired = false;
      this.rejoinSoon();
    }
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => void this.pollIntervalExpired(), this.options.maxPollIntervalMs);
    this.pollTimer.unref();
    if (this.options.enableAutoCommit && this.autoCommitTimer === undefined) this.scheduleAutoCommit();
  }

  /**
   * Commits in the member's generation, retrying while the coordinator
   * moves. In a cooperative rebalance REBALANCE_IN_PROGRESS is retried once
   * the member has rejoined, for the partitions it still owns.
   */
  async commit(offsets: readonly OffsetToCommit[]): Promise<void> {
    this.throwIfUnusable();
    if (offsets.length === 0) return;
    try {
      await this.commitInGeneration(offsets);
    } catch (error) {
      if (!isCode(error, ErrorCode.REBALANCE_IN_PROGRESS) || this.protocol !== 'cooperative' || this.inJoin) throw error;
      this.requestRejoin('a commit found the group rebalancing');
      await this.ensureActive();
      const owned = new Set(this.owned.map(partitionKey));
      const stillOwned = offsets.filter((offset) => owned.has(partitionKey(offset)));
      if (stillOwned.length > 0) await this.commitInGeneration(stillOwned);
    }
  }

  async fetchCommitted(partitions: readonly TopicPartition[]): Promise<Map<string, bigint | null>> {
    const committed = await this.fetchCommittedOffsets(partitions);
    return new Map([...committed].map(([key, { offset }]) => [key, offset]));
  }

  /**
   * Hands the owned partitions back (onRevoked, or onLost if the generation
   * was lost) and leaves the group. A static member sends no LeaveGroup, as
   * Kafka's: its partitions wait for it until its session times out, so a
   * restart within the session causes no rebalance. The caller commits first.
   */
  async leave(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort(new KafkaClosedError(`the consumer of group ${this.options.groupId} is closed`));
    this.stopTimers();
    if (this.owned.length > 0) await this.dropOwned(this.generationLost || this.generation === NO_GENERATION ? 'lost' : 'revoked', this.owned);
    if (this.options.groupInstanceId === null && this.memberIdValue !== '') await this.sendLeaveGroup('the consumer is being closed');
  }

  private throwIfUnusable(): void {
    if (this.fatal !== null) throw this.fatal;
    if (this.closed) throw new KafkaClosedError(`the consumer of group ${this.options.groupId} is closed`);
  }

  private requestRejoin(reason: string): void {
    this.rejoinReason ??= reason;
    this.rejoinSoon();
  }

  /**
   * Starts the rejoin without waiting for the consumer's next fetch round: a
   * member with no partitions fetches nothing, and the group waits for it.
   * What goes wrong is kept for ensureActive to throw (fatal errors, a
   * throwing listener).
   */
  private rejoinSoon(): void {
    setImmediate(() => {
      if (this.closed || this.fatal !== null || this.pollExpired || this.joining !== null || !this.joinedOnce) return;
      this.joinWhileNeeded().catch(() => {});
    });
  }

  /** Waits for the join under way (its request cleared rejoinReason already), then joins again while one is due. */
  private async joinWhileNeeded(): Promise<void> {
    while (!this.closed && this.fatal === null) {
      if (this.joining === null) {
        if (this.rejoinReason === null || this.pollExpired) return;
        this.joining = this.rejoin().finally(() => {
          this.joining = null;
        });
      }
      await this.joining;
    }
  }

  /**
   * A changed subscription, or (for the leader) a changed partition count of
   * any topic of the group, as the metadata refreshed in the background
   * shows, needs a new assignment.
   */
  private noticeChanges(): void {
    if (!this.joinedOnce) return;
    const topics = this.subscribedTopics();
    if (topics.join('\u0000') !== this.joinedTopics) this.requestRejoin('the subscription changed');
    if (this.leaderPartitionCounts === null) return;
    for (const [topic, count] of this.leaderPartitionCounts) {
      const now = this.host.cluster.metadata.topics.get(topic);
      if (now !== undefined && now.errorCode === 0 && now.partitions.length !== count) {
        this.requestRejoin(`topic ${topic} now has ${now.partitions.length} partitions, not ${count}`);
      }
    }
  }

  private subscribedTopics(): string[] {
    return [...new Set(this.host.subscribedTopics())].sort();
  }

  /** Joins until it succeeds or fails fatally; a failure that a retry can help is retried with backoff. */
  private async rejoin(): Promise<void> {
    this.inJoin = true;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.prepareJoin();
          await this.completeJoin(await this.joinAndSync());
          return;
        } catch (error) {
          if (this.closed) throw new KafkaClosedError(`the consumer of group ${this.options.groupId} closed while joining`);
          if (this.isFatal(error)) {
            this.fatal =
              error instanceof KafkaClientError
                ? error
                : new KafkaClientError(`group ${this.options.groupId}: joining failed: ${(error as Error)?.message ?? String(error)}`, { retriable: false, cause: error });
            throw this.fatal;
          }
          // A rebalance answer or a moved coordinator is part of joining; anything else is worth a warning.
          const expected = coordinatorMoved(error) || (error instanceof KafkaProtocolError && GROUP_RETRY_CODES.has(error.code));
          this.logger[expected ? 'info' : 'warn'](`group ${this.options.groupId}: joining failed, retrying`, { error: (error as Error).message, attempt });
          await this.backoff(attempt);
        }
      }
    } finally {
      this.inJoin = false;
    }
  }

  /**
   * Kafka's onJoinPrepare: with auto-commit, the positions are committed;
   * then an eager member revokes everything it owns, a cooperative one only
   * what it no longer subscribes to; a lost generation drops everything
   * without a commit.
   */
  private async prepareJoin(): Promise<void> {
    if (this.generationLost) {
      this.generationLost = false;
      if (this.owned.length > 0) await this.dropOwned('lost', this.owned);
      return;
    }
    if (this.owned.length === 0) return;
    const subscribed = new Set(this.subscribedTopics());
    const revoked = this.protocol === 'eager' ? this.owned : this.owned.filter((p) => !subscribed.has(p.topic));
    if (revoked.length > 0) this.host.partitionsRevoking?.(revoked);
    if (this.options.enableAutoCommit) await this.commitQuietly(this.owned, 'before rejoining');
    if (this.generationLost) return this.prepareJoin();
    if (revoked.length > 0) await this.dropOwned('revoked', revoked);
  }

  private async joinAndSync(): Promise<Joined> {
    const topics = this.subscribedTopics();
    const reason = this.rejoinReason ?? 'rejoining';
    this.rejoinReason = null;
    this.stopHeartbeat();
    this.leaderPartitionCounts = null;
    try {
      const joined = await joinAndSync(
        this.host.cluster,
        {
          groupId: this.options.groupId,
          groupInstanceId: this.options.groupInstanceId,
          memberId: this.memberIdValue,
          generationId: this.generation,
          sessionTimeoutMs: this.options.sessionTimeoutMs,
          rebalanceTimeoutMs: this.options.maxPollIntervalMs,
          assignors: this.options.assignors,
          topics,
          owned: this.protocol === 'cooperative' ? this.owned : [],
          reason,
        },
        (memberId) => {
          this.memberIdValue = memberId;
        },
      );
      this.joinedTopics = topics.join('\u0000');
      this.leaderPartitionCounts = joined.leaderPartitionCounts;
      return joined;
    } catch (error) {
      this.afterGroupError(error, 'joining');
      throw error;
    }
  }

  /**
   * Kafka's onJoinComplete. A cooperative member revokes what it owned and
   * was not given (committing it first), then rejoins so that the partitions
   * can move; an eager one owns nothing at this point. New partitions start
   * from their committed offsets.
   */
  private async completeJoin(joined: Joined): Promise<void> {
    const { assigned } = joined;
    this.generation = joined.generationId;
    this.memberIdValue = joined.memberId;
    this.lastJoinValue = { leaderId: joined.leader, protocolName: joined.protocolName };
    this.joinedOnce = true;
    this.scheduleHeartbeat(this.options.heartbeatIntervalMs);
    this.logger.info(`group ${this.options.groupId}: joined generation ${joined.generationId} as ${joined.memberId}`, {
      protocol: joined.protocolName,
      leader: joined.leader === joined.memberId,
      assigned: assigned.map(partitionKey),
    });
    const assignedKeys = new Set(assigned.map(partitionKey));
    const revoked = this.owned.filter((p) => !assignedKeys.has(partitionKey(p)));
    if (revoked.length > 0) {
      this.host.partitionsRevoking?.(revoked);
      if (this.options.enableAutoCommit) await this.commitQuietly(revoked, 'before they move');
      await this.dropOwned('revoked', revoked);
      this.requestRejoin(`partitions were revoked: ${revoked.map(partitionKey).join(', ')}`);
    }
    const ownedKeys = new Set(this.owned.map(partitionKey));
    const added = assigned.filter((p) => !ownedKeys.has(partitionKey(p)));
    if (added.length > 0) {
      const committed = await this.fetchCommittedOffsets(added);
      await this.host.partitionsAssigned(
        added.map((p) => {
          const offset = committed.get(partitionKey(p))!;
          return offset.leaderEpoch >= 0 ? { ...p, committed: offset.offset, leaderEpoch: offset.leaderEpoch } : { ...p, committed: offset.offset };
        }),
      );
      this.owned = [...this.owned, ...added];
    }
    await this.callListener('onAssigned', added);
  }

  /** Gives partitions up, in the Java client's order: the listener first, then the consumer stops fetching them. */
  private async dropOwned(how: 'revoked' | 'lost', partitions: TopicPartition[]): Promise<void> {
    const dropped = new Set(partitions.map(partitionKey));
    for (const key of dropped) this.autoCommitted.delete(key);
    const list = [...partitions];
    this.owned = this.owned.filter((p) => !dropped.has(partitionKey(p)));
    await this.callListener(how === 'revoked' ? 'onRevoked' : 'onLost', list);
    if (how === 'revoked') await this.host.partitionsRevoked(list);
    else await this.host.partitionsLost(list);
  }

  private async callListener(callback: 'onAssigned' | 'onRevoked' | 'onLost', partitions: TopicPartition[]): Promise<void> {
    try {
      await this.options.rebalanceListener[callback]?.(partitions);
    } catch (error) {
      this.logger.error(`group ${this.options.groupId}: rebalance listener ${callback} threw`, { error: (error as Error)?.message ?? String(error) });
      this.listenerError ??= error;
    }
  }

  private async fetchCommittedOffsets(partitions: readonly TopicPartition[]): Promise<Map<string, CommittedOffset>> {
    if (partitions.length === 0) return new Map();
    return callCoordinator(
      this.host.cluster,
      this.options.groupId,
      `OffsetFetch for group ${this.options.groupId}`,
      Date.now() + DEFAULT_API_TIMEOUT_MS,
      (coordinator) => fetchOffsets(coordinator, this.options.groupId, partitions, this.options.requireStable),
      this.closing.signal,
    );
  }

  private async commitInGeneration(offsets: readonly OffsetToCommit[]): Promise<void> {
    try {
      await callCoordinator(
        this.host.cluster,
        this.options.groupId,
        `OffsetCommit for group ${this.options.groupId}`,
        Date.now() + DEFAULT_API_TIMEOUT_MS,
        (coordinator) =>
          commitOffsets(
            coordinator,
            { groupId: this.options.groupId, generationId: this.generation, memberId: this.memberIdValue, groupInstanceId: this.options.groupInstanceId },
            offsets,
          ),
        this.closing.signal,
      );
    } catch (error) {
      this.afterGroupError(error, 'committing');
      throw error;
    }
  }

  /** The auto-commit inside a rebalance: a failure is logged, as the Java client does, and the rebalance goes on. */
  private async commitQuietly(partitions: readonly TopicPartition[], why: string): Promise<void> {
    const positions = this.host.consumedPositions(partitions);
    if (positions.length === 0) return;
    try {
      await this.commitInGeneration(positions);
    } catch (error) {
      if (this.closed) return;
      this.logger.warn(`group ${this.options.groupId}: auto-commit ${why} failed`, { error: (error as Error).message });
    }
  }

  /** What an error from the coordinator says about this member's standing in the group. */
  private afterGroupError(error: unknown, during: string): void {
    if (coordinatorMoved(error)) {
      this.host.cluster.invalidateCoordinator('group', this.options.groupId);
      return;
    }
    if (!(error instanceof KafkaProtocolError)) return;
    switch (error.code) {
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.resetGeneration(`the coordinator does not know member ${this.memberIdValue || '(none)'} (${during})`);
        this.memberIdValue = '';
        break;
      case ErrorCode.ILLEGAL_GENERATION:
        this.resetGeneration(`generation ${this.generation} is no longer the group's (${during})`);
        break;
      case ErrorCode.REBALANCE_IN_PROGRESS:
        this.requestRejoin(`the group is rebalancing (${during})`);
        break;
      case ErrorCode.FENCED_INSTANCE_ID:
        this.fatal = error;
        this.stopTimers();
        break;
    }
  }

  private resetGeneration(reason: string): void {
    this.generation = NO_GENERATION;
    this.generationLost = true;
    this.stopHeartbeat();
    this.requestRejoin(reason);
  }

  private isFatal(error: unknown): boolean {
    if (error === this.fatal) return true;
    if (!(error instanceof KafkaClientError)) return true;
    if (error instanceof KafkaProtocolError) {
      return !error.retriable && !GROUP_RETRY_CODES.has(error.code);
    }
    return !error.retriable && !(error.cause instanceof KafkaClientError && error.cause.retriable);
  }

  private membership(): Membership {
    return { groupId: this.options.groupId, memberId: this.memberIdValue, groupInstanceId: this.options.groupInstanceId };
  }

  private scheduleHeartbeat(delayMs: number): void {
    clearTimeout(this.heartbeatTimer);
    if (this.closed || this.fatal !== null) return;
    this.heartbeatTimer = setTimeout(() => void this.sendHeartbeat(), delayMs);
    this.heartbeatTimer.unref();
  }

  private stopHeartbeat(): void {
    this.heartbeatSession++;
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  /**
   * One heartbeat. REBALANCE_IN_PROGRESS keeps the member heartbeating (its
   * session must live until it rejoins); a lost generation stops it; a moved
   * coordinator is looked up again for the next one, sooner than usual.
   */
  private async sendHeartbeat(): Promise<void> {
    const session = this.heartbeatSession;
    const generation = this.generation;
    try {
      const coordinator = await this.host.cluster.coordinator('group', this.options.groupId);
      await heartbeat(coordinator, this.membership(), generation);
      if (this.heartbeatSession === session) this.scheduleHeartbeat(this.options.heartbeatIntervalMs);
    } catch (error) {
      if (this.closed || this.heartbeatSession !== session) return;
      this.afterGroupError(error, 'heartbeating');
      if (this.heartbeatSession !== session || this.fatal !== null) return;
      if (coordinatorMoved(error) || (error instanceof KafkaClientError && error.retriable)) {
        this.logger.debug(`group ${this.options.groupId}: heartbeat failed, retrying`, { error: (error as Error).message });
        this.scheduleHeartbeat(Math.min(this.options.heartbeatIntervalMs, backoffDelay(0, this.host.cluster.options)));
      } else {
        if (!isCode(error, ErrorCode.REBALANCE_IN_PROGRESS)) this.logger.warn(`group ${this.options.groupId}: heartbeat failed`, { error: (error as Error).message });
        this.scheduleHeartbeat(this.options.heartbeatIntervalMs);
      }
    }
  }

  /**
   * The application did not poll within maxPollIntervalMs: like the Java
   * client, the member leaves the group so that others take its partitions
   * (a static member just stops heartbeating and lets its session expire),
   * and rejoins on the next poll. Its partitions are dropped as lost at once,
   * so that no record of theirs reaches the application once another member
   * may own them.
   */
  private async pollIntervalExpired(): Promise<void> {
    if (this.closed || this.fatal !== null || this.memberIdValue === '') return;
    this.pollExpired = true;
    this.logger.warn(
      `group ${this.options.groupId}: member ${this.memberIdValue} leaves the group: no poll within maxPollIntervalMs (${this.options.maxPollIntervalMs} ms); processing records is taking too long`,
    );
    const dynamic = this.options.groupInstanceId === null;
    this.resetGeneration('the member left the group after maxPollIntervalMs without a poll');
    if (dynamic) {
      await this.sendLeaveGroup('consumer poll timeout has expired');
      this.memberIdValue = '';
    }
    if (this.joining === null && this.generationLost && !this.closed) {
      this.generationLost = false;
      if (this.owned.length > 0) await this.dropOwned('lost', this.owned);
    }
  }

  private async sendLeaveGroup(reason: string): Promise<void> {
    try {
      const coordinator = await this.host.cluster.coordinator('group', this.options.groupId);
      await leaveGroup(coordinator, this.membership(), reason);
    } catch (error) {
      this.logger.warn(`group ${this.options.groupId}: LeaveGroup for member ${this.memberIdValue} failed; its session will time out instead`, {
        error: (error as Error).message,
      });
    }
  }

  private scheduleAutoCommit(): void {
    this.autoCommitTimer = setTimeout(() => {
      void this.autoCommit().finally(() => {
        if (!this.closed && this.fatal === null) this.scheduleAutoCommit();
      });
    }, this.options.autoCommitIntervalMs);
    this.autoCommitTimer.unref();
  }

  /**
   * Starts with the first poll; a consumer of manually assigned partitions
   * commits what it read too, outside any generation, as Kafka's does. Only
   * positions that moved since the last auto-commit are sent.
   */
  private async autoCommit(): Promise<void> {
    if (this.started) {
      // Mid-join the positions are committed by the join itself, in the right generation.
      if (this.joining !== null || this.generation === NO_GENERATION || this.owned.length === 0) return;
    }
    const positions = (this.started ? this.host.consumedPositions(this.owned) : this.host.consumedPositions()).filter((p) => this.autoCommitted.get(partitionKey(p)) !== p.offset);
    if (positions.length === 0) return;
    try {
      await this.commitInGeneration(positions);
      for (const p of positions) this.autoCommitted.set(partitionKey(p), p.offset);
    } catch (error) {
      if (!this.closed) this.logger.warn(`group ${this.options.groupId}: auto-commit on its interval failed`, { error: (error as Error).message });
    }
  }

  private stopTimers(): void {
    this.stopHeartbeat();
    clearTimeout(this.pollTimer);
    clearTimeout(this.autoCommitTimer);
  }

  private async backoff(attempt: number): Promise<void> {
    const delay = backoffDelay(attempt, this.host.cluster.options);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, delay);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.closing.signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** Codes Kafka marks non-retriable that a member answers by joining again, not by giving up. */
const GROUP_RETRY_CODES: ReadonlySet<number> = new Set([ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.ILLEGAL_GENERATION, ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.MEMBER_ID_REQUIRED]);

function isCode(error: unknown, code: number): boolean {
  return error instanceof KafkaProtocolError && error.code === code;
}
