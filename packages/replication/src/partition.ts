import type { Logger } from '@kstream/actor';
import { ErrorCode } from '@kstream/protocol';
import type { AlterPartitionItem, AlterPartitionResult, PartitionState as MetadataPartitionState } from '@kstream/metadata';
import type {
  AbortedTransaction,
  EpochEndOffset,
  LeaderAppendOrigin,
  LogAppendInfo,
  LogReadInfo,
  PartitionLog,
  TopicPartition,
  TxnMarker,
  VerificationGuard,
} from '@kstream/log-storage';
import { checkProducedBatches } from './batch-limits.js';
import { refuseKeylessRecords } from './compacted-keys.js';
import { DelayedProduces } from './delayed-produce.js';
import { FollowerReplica } from './follower-replica.js';
import type { PartitionConfig } from './partition-config.js';
import { PartitionError } from './partition-errors.js';

/**
 * A hosted partition's replica set and leadership: the metadata's state for
 * it (KRaft's PartitionRecord), carrying its topic's id rather than its index.
 */
export type PartitionState = Omit<MetadataPartitionState, 'partition'> & { readonly topicId: string };

/** A batch appended as leader: its last offset and size, until the high watermark (or the last stable offset) passes it. */
interface AppendedBatch {
  readonly lastOffset: bigint;
  readonly bytes: number;
}

/** Where every partition's chain of key checks starts: most never have a produce to a compacted topic. */
const settled = Promise.resolve();

/** Told when a partition's offsets move: how many bytes of batches. */
export type NewDataListener = (partition: Partition, bytes: number) => void;

/**
 * Told when the high watermark moves: the bytes now below it, and those now
 * below the last stable offset (0 while an open transaction holds it back),
 * which are what a read_committed fetch can read (Kafka's DelayedFetch counts
 * up to the LSO under read_committed).
 */
export type HighWatermarkListener = (partition: Partition, bytes: number, stableBytes: number) => void;

/** What every partition of a broker shares: who it is, its clock and lag bound, where ISR changes go, whom appends wake. */
export interface ReplicationContext {
  readonly brokerId: number;
  readonly clock: () => number;
  /** replica.lag.time.max.ms: a follower not caught up for this long leaves the ISR. */
  readonly replicaLagTimeMaxMs: number;
  /** Sends an ISR change to the controller (AlterPartitionManager.submit); `isrSize`: the committed ISR's size as it is asked (for metrics). */
  readonly alterPartition: (item: AlterPartitionItem, isStale: () => boolean, isrSize: number) => Promise<AlterPartitionResult | undefined>;
  /** The high watermark moved: consumers' parked fetches wake (read_committed ones only for stable bytes). */
  readonly onHighWatermarkMoved: HighWatermarkListener;
  /** The leader appended: followers' parked fetches wake. */
  readonly onLeaderAppend: NewDataListener;
  readonly logger: Logger;
}

/** An ISR change sent to the controller and not yet answered (Kafka's PendingExpandIsr / PendingShrinkIsr). */
interface PendingIsrChange {
  readonly kind: 'expand' | 'shrink';
  readonly newIsr: readonly number[];
}

/** What a follower's fetch from the leader gets (see Partition.fetchForFollower). */
export interface FollowerFetchRead {
  readonly records: Buffer;
  readonly highWatermark: bigint;
  readonly logStartOffset: bigint;
  readonly logEndOffset: bigint;
  /** Set when the follower's log diverges from the leader's (its last fetched epoch ends earlier here): truncate first. */
  readonly divergingEpoch?: EpochEndOffset;
}

/**
 * A consumer's read: whole batches and, under read_committed, the aborted
 * transactions whose data lies in what was read (null under
 * read_uncommitted), so the consumer can drop their records.
 */
export interface ConsumerRead extends LogReadInfo {
  readonly abortedTransactions: AbortedTransaction[] | null;
}

/** The records of a fetch at the log end: one empty buffer for all (never transferred: a reply moves only non-empty ones). */
const NO_RECORDS = Buffer.alloc(0);

/** Partition.fetchForFollowerNow's answer for a follower at the log end: nothing to read but the partition's offsets (Partition.offsetsRead). */
export const AT_LOG_END: unique symbol = Symbol('at the log end');

/** How long an ISR change the controller refused is not asked again in the same partition epoch (see Partition.#refusedIsr). */
export const REFUSED_ISR_RETRY_MS = 1_000;

/** `topic-partition`, the key Kafka (and the log directory) names a partition by. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/**
 * One partition this broker hosts (Kafka's Partition): its log, its replica
 * state from metadata, and the high watermark — the offset below which every
 * ISR member has the data, the bound of what consumers may read — with,
 * from the log's producer state, the last stable offset below it: the bound
 * of read_committed consumers while a transaction is open or its marker is
 * not yet replicated.
 *
 * As leader it tracks each follower's log end offset and when it was last
 * caught up (FollowerReplica), moves the high watermark to the lowest log
 * end offset of the maximal ISR (the committed ISR plus a pending
 * expansion; a pending shrink still counts its followers), never back;
 * shrinks the ISR of followers that lag more than replica.lag.time.max.ms
 * and expands it by followers that caught up, through AlterPartition — one
 * change in flight at a time, and the committed ISR (metadata's, or the
 * controller's answer) is the one min.insync.replicas is checked against.
 * As follower it appends the leader's batches, its high watermark the
 * leader's capped by its own log end offset, and truncates as its fetcher
 * says. Not thread-safe; owned by the broker loop.
 */
export class Partition {
  readonly topicPartition: TopicPartition;
  /**
   * `topic-partition`, made once: the broker's maps of hosted, followed and
   * parked partitions all key on it, and one string serves them all.
   */
  readonly name: string;
  readonly #context: ReplicationContext;
  #state: PartitionState;
  #config: PartitionConfig;
  #highWatermark: bigint;
  /** The leader epoch this broker leads (or follows) in, once applyState made it so. */
  #role: { readonly kind: 'leader' | 'follower'; readonly leaderEpoch: number } | undefined;
  /** Where this broker's current leader epoch starts: a follower joins the ISR only once it has reached it. */
  #leaderEpochStartOffset = 0n;
  #pendingIsr: PendingIsrChange | undefined;
  /**
   * The last ISR the controller refused, in which partition epoch and when:
   * not asked again in that epoch for REFUSED_ISR_RETRY_MS (Kafka waits for
   * metadata; a broker the controller found ineligible becomes eligible by
   * registering, which moves no partition epoch, so the wait is bounded).
   */
  #refusedIsr: { readonly partitionEpoch: number; readonly newIsr: string; readonly atMs: number } | undefined;
  /**
   * What this leader knows of each follower; none on a follower. This and
   * the lists below are made when they get their first entry: a broker hosts
   * thousands of partitions, most of them idle.
   */
  #followers: Map<number, FollowerReplica> | undefined;
  /** Appended batches not yet below the high watermark, oldest first. */
  #invisible: AppendedBatch[] | undefined;
  /** Appended batches not yet below the last stable offset, oldest first (a superset of #invisible: an open transaction holds it). */
  #unstable: AppendedBatch[] | undefined;
  /** The last stable offset parked consumers were last told of. */
  #stableReported = 0n;
  readonly #produces = new DelayedProduces();
  /** The last key check of a produce to a compacted topic (see #keyCheckInTurn). */
  #keyChecks: Promise<unknown> = settled;

  constructor(
    context: ReplicationContext,
    readonly log: PartitionLog,
    state: PartitionState,
    config: PartitionConfig,
    /** From replication-offset-checkpoint; clamped to the log's range. */
    checkpointedHighWatermark: bigint,
  ) {
    this.#context = context;
    this.topicPartition = log.topicPartition;
    this.name = partitionKey(log.topicPartition.topic, log.topicPartition.partition);
    this.#state = state;
    this.#config = config;
    this.#highWatermark = clamp(checkpointedHighWatermark, log.logStartOffset, log.logEndOffset);
    this.#stableReported = this.#highWatermark;
  }

  get localBrokerId(): number {
    return this.#context.brokerId;
  }

  get topic(): string {
    return this.topicPartition.topic;
  }

  get partition(): number {
    return this.topicPartition.partition;
  }

  get state(): PartitionState {
    return this.#state;
  }

  get config(): PartitionConfig {
    return this.#config;
  }

  get isLeader(): boolean {
    return this.#state.leader === this.localBrokerId;
  }

  get leaderEpoch(): number {
    return this.#state.leaderEpoch;
  }

  get highWatermark(): bigint {
    return this.#highWatermark;
  }

  /**
   * read_committed's bound: the first offset of the earliest transaction
   * still open, or ended by a marker not yet below the high watermark;
   * the high watermark when there is none.
   */
  get lastStableOffset(): bigint {
    const firstUnstable = this.log.firstUnstableOffset(this.#highWatermark);
    return firstUnstable !== undefined && firstUnstable < this.#highWatermark ? firstUnstable : this.#highWatermark;
  }

  get logStartOffset(): bigint {
    return this.log.logStartOffset;
  }

  get logEndOffset(): bigint {
    return this.log.logEndOffset;
  }

  /** The ISR the high watermark waits for: the committed one plus a pending expansion. */
  get maximalIsr(): readonly number[] {
    const pending = this.#pendingIsr;
    return pending?.kind === 'expand' ? pending.newIsr : this.#state.isr;
  }

  /** The ISR change sent to the controller and not yet answered, if any. */
  get pendingIsr(): PendingIsrChange | undefined {
    return this.#pendingIsr;
  }

  /** acks=-1 produces waiting on this partition. */
  get delayedProduces(): number {
    return this.#produces.size;
  }

  /** What this leader knows of a follower, for tests and DescribeReplicas-like views. */
  follower(brokerId: number): FollowerReplica | undefined {
    return this.#followers?.get(brokerId);
  }

  /**
   * Takes a new replica state from metadata. Becoming leader, or leading in
   * a newer epoch (Kafka's makeLeader), records that the epoch starts at the
   * log end offset (so OffsetForLeaderEpoch can answer) and starts every
   * follower's state afresh. Becoming a follower (makeFollower) answers the
   * waiting acks=-1 produces NOT_LEADER_OR_FOLLOWER; the fetcher then
   * truncates the log. A newer partition epoch replaces a pending ISR change;
   * an older one than the state held is ignored (the controller's answer
   * to AlterPartition already brought a newer one).
   */
  async applyState(state: PartitionState): Promise<void> {
    const previous = this.#state;
    if (this.#role !== undefined && state.leaderEpoch === previous.leaderEpoch && state.partitionEpoch < previous.partitionEpoch) return;
    this.#state = state;
    if (state.partitionEpoch !== previous.partitionEpoch || state.leaderEpoch !== previous.leaderEpoch) this.#pendingIsr = undefined;
    if (state.leader === this.localBrokerId) {
      if (this.#role?.kind !== 'leader' || this.#role.leaderEpoch !== state.leaderEpoch) await this.#makeLeader(state);
      else this.#syncFollowers(state, false);
      this.maybeIncrementHighWatermark();
    } else {
      if (this.#role?.kind === 'leader') this.#produces.failAll();
      this.#role = { kind: 'follower', leaderEpoch: state.leaderEpoch };
      this.#followers = undefined;
      this.#pendingIsr = undefined;
    }
  }

  async #makeLeader(state: PartitionState): Promise<void> {
    const logEndOffset = this.log.logEndOffset;
    await this.log.assignEpochStartOffset(state.leaderEpoch, logEndOffset);
    // The same epoch after a restart keeps its original start.
    this.#leaderEpochStartOffset = this.log.leaderEpochCache.latestEntry()?.startOffset ?? logEndOffset;
    this.#role = { kind: 'leader', leaderEpoch: state.leaderEpoch };
    this.#syncFollowers(state, true);
  }

  /** Keeps a FollowerReplica for each other replica; a new leadership resets them all. */
  #syncFollowers(state: PartitionState, newLeadership: boolean): void {
    const now = this.#context.clock();
    for (const id of this.#followers?.keys() ?? []) if (!state.replicas.includes(id)) this.#followers!.delete(id);
    for (const id of state.replicas) {
      if (id === this.localBrokerId) continue;
      const followers = (this.#followers ??= new Map());
      let follower = followers.get(id);
      if (follower === undefined) followers.set(id, (follower = new FollowerReplica(id)));
      else if (!newLeadership) continue;
      follower.reset(now, this.log.logEndOffset, state.isr.includes(id));
    }
  }

  updateConfig(config: PartitionConfig): void {
    this.#config = config;
    this.log.updateConfig(config.log);
  }

  /**
   * Requests for the leader only: NOT_LEADER_OR_FOLLOWER on another replica;
   * with a client's leader epoch (-1 = not given), FENCED_LEADER_EPOCH when it
   * is older than this one, UNKNOWN_LEADER_EPOCH when newer (this broker's
   * metadata is behind).
   */
  checkLeader(currentLeaderEpoch = -1): void {
    if (!this.isLeader) {
      throw new PartitionError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Broker ${this.localBrokerId} is not the leader of ${this.name} (leader: ${this.#state.leader})`);
    }
    if (currentLeaderEpoch < 0 || currentLeaderEpoch === this.#state.leaderEpoch) return;
    const older = currentLeaderEpoch < this.#state.leaderEpoch;
    throw new PartitionError(
      older ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH,
      `Leader epoch ${currentLeaderEpoch} of the request for ${this.name} is ${older ? 'older' : 'newer'} than the broker's ${this.#state.leaderEpoch}`,
    );
  }

  /**
   * The keys of a produce to a compacted topic checked (refuseKeylessRecords),
   * the checks of several produces running together but ending in call
   * order, so their appends keep the order the produces came in.
   */
  #keyCheckInTurn(records: Buffer): Promise<void> {
    const check = refuseKeylessRecords(records, this.name);
    const turn = this.#keyChecks.then(() => check);
    this.#keyChecks = turn.catch(() => {});
    return turn;
  }

  /**
   * Appends a client's batches as leader: checks their sizes
   * (checkProducedBatches) and, in a compacted topic, that every record has
   * a key (INVALID_RECORD); refuses acks=-1 when the committed ISR is
   * smaller than min.insync.replicas, then lets the log validate (CRC,
   * magic, lengths, and for `origin` 'client' the producer's sequence
   * numbers; with `verificationGuard`, that a batch beginning a transaction
   * still holds it: KIP-890) and assign offsets. A retried batch the log
   * already holds (`duplicate`) is answered with the original's offsets and
   * writes nothing. Wakes the followers' parked fetches.
   */
  async appendRecordsToLeader(records: Buffer, requiredAcks: number, origin: LeaderAppendOrigin = 'client', verificationGuard?: VerificationGuard): Promise<LogAppendInfo> {
    this.checkLeader();
    checkProducedBatches(records, this.#config, this.name);
    if (this.#config.log.cleanupPolicy.includes('compact')) await this.#keyCheckInTurn(records);
    if (requiredAcks === -1) this.#refuseShortIsr();
    const info = await this.log.appendAsLeader(records, this.#state.leaderEpoch, origin, verificationGuard);
    this.#appendedAsLeader(info);
    return info;
  }

  /**
   * Writes a transaction marker (WriteTxnMarkers) as leader in the current
   * leader epoch. Markers are always written acks=all, so an ISR below
   * min.insync.replicas refuses them (NOT_ENOUGH_REPLICAS, retriable for the
   * coordinator); the caller waits for replication. The log refuses a
   * marker of an older producer epoch or coordinator epoch.
   */
  async appendTxnMarkerToLeader(marker: TxnMarker): Promise<LogAppendInfo> {
    this.checkLeader();
    this.#refuseShortIsr();
    const info = await this.log.appendTxnMarker(marker, this.#state.leaderEpoch);
    this.#appendedAsLeader(info);
    return info;
  }

  #refuseShortIsr(): void {
    const shortIsr = this.#isrBelowMinInsync();
    if (shortIsr !== undefined) throw new PartitionError(ErrorCode.NOT_ENOUGH_REPLICAS, `The ISR of ${this.name} ${shortIsr}`);
  }

  #appendedAsLeader(info: LogAppendInfo): void {
    if (info.validBytes > 0 && info.duplicate !== true) {
      const batch = { lastOffset: info.lastOffset, bytes: info.validBytes };
      (this.#invisible ??= []).push(batch);
      const unstable = (this.#unstable ??= []);
      unstable.push(batch);
      if (unstable.length > MAX_UNSTABLE_ENTRIES) this.#unstable = mergePairs(unstable);
      this.#context.onLeaderAppend(this, info.validBytes);
    }
    this.maybeIncrementHighWatermark();
  }

  /**
   * An acks=-1 produce's wait for `requiredOffset` (its last offset + 1):
   * NONE once the high watermark reaches it — NOT_ENOUGH_REPLICAS_AFTER_APPEND
   * if the committed ISR fell below min.insync.replicas meanwhile —,
   * REQUEST_TIMED_OUT after `timeoutMs`, NOT_LEADER_OR_FOLLOWER if this
   * broker stopped leading. Returns the error code and its message.
   */
  async waitForReplication(requiredOffset: bigint, timeoutMs: number): Promise<{ errorCode: number; message: string | null }> {
    const outcome = await this.#produces.wait(requiredOffset, this.#highWatermark, timeoutMs);
    if (outcome === 'timedOut') {
      return { errorCode: ErrorCode.REQUEST_TIMED_OUT, message: `The ISR of ${this.name} did not replicate offset ${requiredOffset - 1n} within ${timeoutMs} ms` };
    }
    if (outcome === 'leadershipLost' || !this.isLeader) {
      return {
        errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
        message: `Broker ${this.localBrokerId} stopped leading ${this.name} before offset ${requiredOffset - 1n} was replicated`,
      };
    }
    const shortIsr = this.#isrBelowMinInsync();
    if (shortIsr !== undefined) {
      return { errorCode: ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, message: `Offset ${requiredOffset - 1n} of ${this.name} was replicated, but the ISR ${shortIsr}` };
    }
    return { errorCode: ErrorCode.NONE, message: null };
  }

  /** How the committed ISR falls short of min.insync.replicas, for an error message; undefined when it does not. */
  #isrBelowMinInsync(): string | undefined {
    const { isr } = this.#state;
    const { minInsyncReplicas } = this.#config;
    if (isr.length >= minInsyncReplicas) return undefined;
    return `has ${isr.length} replica(s) [${isr.join(', ')}], fewer than min.insync.replicas=${minInsyncReplicas}`;
  }

  /**
   * A follower's fetch, on the leader (the caller checked leadership and the
   * epoch): whole batches from `fetchOffset` up to the log end offset (not
   * the high watermark). A `lastFetchedEpoch` that ends earlier in this log
   * than `fetchOffset` answers `divergingEpoch` instead (KIP-595's check).
   * Otherwise the fetch offset is the follower's log end offset: its fetch
   * state, the ISR and the high watermark move with it. Out of the log's
   * range is the log's OffsetOutOfRangeError.
   */
  async fetchForFollower(replicaId: number, fetchOffset: bigint, lastFetchedEpoch: number, maxBytes: number): Promise<FollowerFetchRead> {
    const now = this.fetchForFollowerNow(replicaId, fetchOffset, lastFetchedEpoch);
    if (now === AT_LOG_END) return this.offsetsRead();
    return now ?? this.readForFollower(replicaId, fetchOffset, maxBytes);
  }

  /** A follower's read at the log end: no records, the partition's offsets. */
  offsetsRead(): FollowerFetchRead {
    return { records: NO_RECORDS, highWatermark: this.#highWatermark, logStartOffset: this.logStartOffset, logEndOffset: this.logEndOffset };
  }

  /** fetchForFollower's log read, for a fetch fetchForFollowerNow found records for (it checked the epoch): records from `fetchOffset`, and the follower's position recorded. */
  async readForFollower(replicaId: number, fetchOffset: bigint, maxBytes: number): Promise<FollowerFetchRead> {
    const follower = this.#follower(replicaId);
    const leaderEndOffset = this.log.logEndOffset;
    const { records } = await this.log.read(fetchOffset, { maxBytes: Math.max(0, maxBytes), minOneMessage: true });
    if (this.isLeader) this.updateFollowerFetchState(follower, fetchOffset, this.#context.clock(), leaderEndOffset);
    return { records, highWatermark: this.#highWatermark, logStartOffset: this.logStartOffset, logEndOffset: this.logEndOffset };
  }

  /**
   * fetchForFollower's answer when it needs no log read, in the same turn:
   * a diverging epoch; AT_LOG_END for a follower at the log end (every idle
   * partition of its session, each fetch), whose position it records, with
   * nothing allocated (offsetsRead is the read); undefined if there are
   * records to read. Throws what fetchForFollower throws.
   */
  fetchForFollowerNow(replicaId: number, fetchOffset: bigint, lastFetchedEpoch: number): FollowerFetchRead | typeof AT_LOG_END | undefined {
    const follower = this.#follower(replicaId);
    const leaderEndOffset = this.log.logEndOffset;
    // In the latest epoch, up to the log end, the follower's log cannot diverge: the epoch ends at the log end.
    if (lastFetchedEpoch >= 0 && (lastFetchedEpoch !== this.log.leaderEpochCache.latestEpoch() || fetchOffset > leaderEndOffset)) {
      const epochEnd = this.log.endOffsetForEpoch(lastFetchedEpoch);
      if (epochEnd.epoch < lastFetchedEpoch || epochEnd.endOffset < fetchOffset) return { ...this.offsetsRead(), divergingEpoch: epochEnd };
    }
    if (fetchOffset !== leaderEndOffset) return undefined;
    if (this.isLeader) this.updateFollowerFetchState(follower, fetchOffset, this.#context.clock(), leaderEndOffset);
    return AT_LOG_END;
  }

  #follower(replicaId: number): FollowerReplica {
    const follower = this.#followers?.get(replicaId);
    if (follower === undefined) {
      throw new PartitionError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Broker ${replicaId} is not a replica of ${this.name} (replicas: ${this.#state.replicas.join(', ')})`);
    }
    return follower;
  }

  /** Kafka's updateFollowerFetchState: the follower's new position may expand the ISR and move the high watermark. */
  updateFollowerFetchState(follower: FollowerReplica, fetchOffset: bigint, fetchTimeMs: number, leaderEndOffset: bigint): void {
    follower.updateFetchState(fetchOffset, fetchTimeMs, leaderEndOffset);
    this.#maybeExpandIsr(follower);
    this.maybeIncrementHighWatermark();
  }

  /** A follower outside the ISR joins once its log end offset reaches the high watermark and the start of this leader epoch. */
  #maybeExpandIsr(follower: FollowerReplica): void {
    const { isr, replicas } = this.#state;
    if (this.#pendingIsr !== undefined || isr.includes(follower.brokerId) || !replicas.includes(follower.brokerId)) return;
    if (follower.logEndOffset < this.#highWatermark || follower.logEndOffset < this.#leaderEpochStartOffset) return;
    this.#submitIsrChange({ kind: 'expand', newIsr: [...isr, follower.brokerId] });
  }

  /**
   * Kafka's maybeShrinkIsr, run every replica.lag.time.max.ms / 2: ISR
   * followers not caught up for longer than the lag bound are sent out of it.
   * Until the controller accepts, they still count for the high watermark.
   * Not while becoming leader: until makeLeader has reset the followers
   * (after recording the epoch's start on disk) there is nothing to judge
   * them by.
   */
  maybeShrinkIsr(): void {
    if (!this.isLeader || this.#role?.kind !== 'leader' || this.#role.leaderEpoch !== this.#state.leaderEpoch || this.#pendingIsr !== undefined) return;
    const now = this.#context.clock();
    const leaderEndOffset = this.log.logEndOffset;
    const { isr } = this.#state;
    const outOfSync = isr.filter((id) => id !== this.localBrokerId && !(this.#followers?.get(id)?.isCaughtUp(leaderEndOffset, now, this.#context.replicaLagTimeMaxMs) ?? false));
    if (outOfSync.length === 0) return;
    this.#context.logger.info(
      `Shrinking the ISR of ${this.name} from [${isr.join(', ')}]: [${outOfSync.join(', ')}] not caught up within replica.lag.time.max.ms=${this.#context.replicaLagTimeMaxMs}`,
      {
        partition: this.name,
        leaderEndOffset: String(leaderEndOffset),
      },
    );
    this.#submitIsrChange({ kind: 'shrink', newIsr: isr.filter((id) => !outOfSync.includes(id)) });
  }

  #submitIsrChange(change: PendingIsrChange): void {
    const { topicId, leaderEpoch, partitionEpoch, isr } = this.#state;
    const refused = this.#refusedIsr;
    if (
      refused !== undefined &&
      refused.partitionEpoch === partitionEpoch &&
      refused.newIsr === change.newIsr.join() &&
      this.#context.clock() - refused.atMs < REFUSED_ISR_RETRY_MS
    ) {
      return;
    }
    this.#pendingIsr = change;
    this.#context
      .alterPartition({ topicId, partition: this.partition, leaderEpoch, partitionEpoch, newIsr: change.newIsr }, () => this.#pendingIsr !== change, isr.length)
      .then((result) => this.#isrChangeAnswered(change, result))
      .catch((error: unknown) => this.#context.logger.error(`AlterPartition of ${this.name} failed`, { partition: this.name, error }));
  }

  /**
   * The controller's answer: an accepted change is the committed ISR from
   * now on; a refused one is dropped (metadata brings the state). Either way
   * the maximal ISR is the committed one again: a dropped expansion no longer
   * holds the high watermark back, which moves now, not at a follower's
   * next fetch.
   */
  #isrChangeAnswered(change: PendingIsrChange, result: AlterPartitionResult | undefined): void {
    if (this.#pendingIsr !== change) return;
    this.#pendingIsr = undefined;
    const state = this.#state;
    if (result !== undefined && result.errorCode !== ErrorCode.NONE) {
      this.#refusedIsr = { partitionEpoch: state.partitionEpoch, newIsr: change.newIsr.join(), atMs: this.#context.clock() };
      this.#context.logger.warn(`The controller refused the ISR change of ${this.name} to [${change.newIsr.join(', ')}] (error ${result.errorCode})`, { partition: this.name });
    } else if (result !== undefined && result.leaderEpoch === state.leaderEpoch && result.partitionEpoch > state.partitionEpoch) {
      this.#state = withIsr(state, result.isr, result.partitionEpoch);
    }
    this.maybeIncrementHighWatermark();
  }

  /**
   * The leader's high watermark: the lowest log end offset of the maximal
   * ISR, the leader's own included; it never moves back (a follower whose
   * offset is not known since this leadership began holds it). Wakes what
   * waits on it.
   */
  maybeIncrementHighWatermark(): void {
    if (!this.isLeader) return;
    let target = this.log.logEndOffset;
    for (const id of this.maximalIsr) {
      if (id === this.localBrokerId) continue;
      const offset = this.#followers?.get(id)?.logEndOffset ?? -1n;
      if (offset < target) target = offset;
    }
    this.#moveHighWatermark(target);
  }

  #moveHighWatermark(target: bigint): void {
    if (target <= this.#highWatermark) return;
    this.#highWatermark = target;
    let bytes = 0;
    const invisible = this.#invisible;
    while (invisible !== undefined && invisible.length > 0 && invisible[0]!.lastOffset < target) bytes += invisible.shift()!.bytes;
    this.#produces.highWatermarkMoved(target);
    // Offsets a former follower appended are not in #invisible: they count as at least one byte, so a parked consumer reads them.
    this.#context.onHighWatermarkMoved(this, Math.max(bytes, 1), this.#stableBytesMoved());
  }

  /** Bytes that went below the last stable offset since last asked (at least 1 when it moved at all, as for the high watermark). */
  #stableBytesMoved(): number {
    const stable = this.lastStableOffset;
    if (stable <= this.#stableReported) return 0;
    this.#stableReported = stable;
    const unstable = this.#unstable ?? [];
    let drained = 0;
    while (drained < unstable.length && unstable[drained]!.lastOffset < stable) drained++;
    const bytes = unstable.splice(0, drained).reduce((sum, batch) => sum + batch.bytes, 0);
    return Math.max(bytes, 1);
  }

  // ---- Follower side ----

  /** Appends the leader's batches as they are; they must continue the log exactly. */
  appendRecordsAsFollower(records: Buffer): Promise<LogAppendInfo> {
    return this.log.appendAsFollower(records);
  }

  /**
   * A follower's high watermark: the leader's, capped by its own log end
   * offset; it moves back only when the log is truncated. When it moves on,
   * the completed transactions whose markers it passed are forgotten (Kafka's
   * onHighWatermarkUpdated): nothing else asks a follower's log for them.
   */
  updateFollowerHighWatermark(leaderHighWatermark: bigint): void {
    const target = leaderHighWatermark < this.log.logEndOffset ? leaderHighWatermark : this.log.logEndOffset;
    if (target <= this.#highWatermark) return;
    this.#highWatermark = target;
    this.log.firstUnstableOffset(target);
  }

  /** The follower's log start offset follows the leader's (DeleteRecords, retention), up to its own high watermark. */
  async followLeaderLogStartOffset(leaderLogStartOffset: bigint): Promise<void> {
    const target = leaderLogStartOffset < this.#highWatermark ? leaderLogStartOffset : this.#highWatermark;
    await this.log.maybeIncrementLogStartOffset(target);
  }

  /** Removes the log's tail from `offset` on (truncation by leader epoch); the high watermark follows it down. */
  async truncateTo(offset: bigint): Promise<void> {
    await this.log.truncateTo(offset);
    if (this.#highWatermark > this.log.logEndOffset) this.#highWatermark = this.log.logEndOffset;
    this.#invisible = this.#invisible?.filter((b) => b.lastOffset < this.log.logEndOffset);
    this.#unstable = this.#unstable?.filter((b) => b.lastOffset < this.log.logEndOffset);
    if (this.#stableReported > this.#highWatermark) this.#stableReported = this.#highWatermark;
  }

  /** Empties the log and starts it at `offset`: the leader's log starts beyond this follower's end. */
  async truncateFullyAndStartAt(offset: bigint): Promise<void> {
    await this.log.truncateFullyAndStartAt(offset);
    this.#highWatermark = offset;
    this.#invisible = undefined;
    this.#unstable = undefined;
    this.#stableReported = offset;
  }

  // ---- Consumers and admin ----

  /**
   * A consumer's read: whole batches from `fetchOffset`, below the high
   * watermark (read_committed: the last stable offset, with the aborted
   * transactions from `fetchOffset` up to the end of what was read). Out of
   * the log's range is the log's OffsetOutOfRangeError.
   */
  async read(fetchOffset: bigint, maxBytes: number, minOneMessage: boolean, readCommitted: boolean): Promise<ConsumerRead> {
    const maxOffset = readCommitted ? this.lastStableOffset : this.#highWatermark;
    const read = await this.log.read(fetchOffset, { maxBytes: Math.max(0, maxBytes), maxOffset, minOneMessage });
    if (!readCommitted) return { ...read, abortedTransactions: null };
    const abortedTransactions = read.records.length === 0 ? [] : this.log.collectAbortedTransactions(fetchOffset, read.nextOffset);
    return { ...read, abortedTransactions };
  }

  /**
   * DeleteRecords on the leader: moves the log start offset to `offset`
   * (-1: the high watermark); beyond the high watermark is OFFSET_OUT_OF_RANGE.
   * Returns the new low watermark.
   */
  async deleteRecordsOnLeader(offset: bigint): Promise<bigint> {
    this.checkLeader();
    const target = offset === -1n ? this.#highWatermark : offset;
    if (target < 0n || target > this.#highWatermark) {
      throw new PartitionError(ErrorCode.OFFSET_OUT_OF_RANGE, `Cannot delete records of ${this.name} before offset ${offset}: the high watermark is ${this.#highWatermark}`);
    }
    await this.log.maybeIncrementLogStartOffset(target);
    return this.log.logStartOffset;
  }

  /** The partition is going away here: what waits on it answers NOT_LEADER_OR_FOLLOWER, and its ISR change is dropped. */
  abandonWaiters(): void {
    this.#produces.failAll();
    this.#pendingIsr = undefined;
  }
}

/**
 * How many appended batches #unstable keeps apart: a transaction left open
 * (a hanging one holds the LSO until an admin aborts it) would otherwise grow
 * it by one entry per batch. Beyond it neighbours merge, so a merged entry's
 * bytes count once the LSO passes all of it (a read_committed fetch with
 * minBytes above 1 may wait longer; any LSO move still wakes every fetch).
 */
const MAX_UNSTABLE_ENTRIES = 4096;

/** Neighbouring batches merged two by two: the later's last offset, both their bytes. */
function mergePairs(batches: readonly AppendedBatch[]): AppendedBatch[] {
  const merged: AppendedBatch[] = [];
  for (let i = 0; i < batches.length; i += 2) {
    const later = batches[i + 1] ?? batches[i]!;
    merged.push({ lastOffset: later.lastOffset, bytes: batches[i]!.bytes + (i + 1 < batches.length ? later.bytes : 0) });
  }
  return merged;
}

function clamp(value: bigint, low: bigint, high: bigint): bigint {
  return value < low ? low : value > high ? high : value;
}

/**
 * `state` with a new ISR, written out field by field: V8 may give a spread
 * copy a hidden class of its own (~350 bytes for each partition).
 */
function withIsr(state: PartitionState, isr: readonly number[], partitionEpoch: number): PartitionState {
  const { replicas, leader, leaderEpoch, addingReplicas, removingReplicas, topicId } = state;
  return { replicas, isr, leader, leaderEpoch, partitionEpoch, addingReplicas, removingReplicas, topicId };
}
