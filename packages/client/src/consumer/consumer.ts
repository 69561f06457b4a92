// The Consumer: manual assignment or group membership, positions, pause and
// resume, and four ways to read — poll(), `for await` over batches,
// records() and run(). Fetching runs on its own (see Fetcher): the next
// fetch is in flight while the application works on what it was handed.
//
// A "round" is the consumer's one piece of background work, never two at
// once: nudge the group member (a pending rebalance completes beside the
// round, not inside it), find positions for partitions without one
// (committed offset, else autoOffsetReset), then send fetches. A response,
// a batch taken by the application, a seek or the end of a backoff each ask
// for another round.
import { ClusterClient } from '../cluster/index.js';
import { KafkaClientError, KafkaClosedError, KafkaConfigError } from '../errors/index.js';
import type { TopicPartition } from './assignors/assignor.js';
import { clientErrorOf } from './client-error-of.js';
import { resolveConsumerOptions, type ConsumerOptions, type ResolvedConsumerOptions } from './consumer-options.js';
import type { ConsumerBatch, ConsumerRecord } from './consumer-record.js';
import { Fetcher } from './fetcher.js';
import type { GroupHost } from './group/group-host.js';
import { GroupMember } from './group/group-member.js';
import { NoOffsetForPartitionError } from './offset-reset-error.js';
import { PositionFinder } from './position-finder.js';
import { consumedPosition, SubscriptionState, type CompletedFetch, type PartitionState, type RecordCursor } from './subscription-state.js';

/** Default for poll()'s timeoutMs. */
const DEFAULT_POLL_TIMEOUT_MS = 1_000;

export type CommitOffset = TopicPartition & { offset: bigint; metadata?: string };

export interface RunHandlers<K, V> {
  eachRecord?: (record: ConsumerRecord<K, V>) => unknown;
  eachBatch?: (batch: ConsumerBatch<K, V>) => unknown;
}

function checkPartitions(partitions: readonly TopicPartition[], what: string): void {
  if (!Array.isArray(partitions)) throw new TypeError(`${what} takes an array of { topic, partition }`);
  for (const p of partitions) {
    if (typeof p?.topic !== 'string' || p.topic.length === 0 || !Number.isInteger(p.partition) || p.partition < 0) {
      throw new TypeError(`${what}: ${JSON.stringify(p)} is not a { topic, partition } with a partition >= 0`);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

export class Consumer<K = Buffer, V = Buffer> implements AsyncIterable<ConsumerBatch<K, V>> {
  readonly #options: ResolvedConsumerOptions<K, V>;
  readonly #cluster: ClusterClient;
  readonly #subscriptions: SubscriptionState<K, V>;
  readonly #fetcher: Fetcher<K, V>;
  readonly #positions: PositionFinder<K, V>;
  #mode: 'none' | 'assign' | 'subscribe' = 'none';
  #topics: readonly string[] = [];
  #member: GroupMember | null = null;
  #memberStarted: Promise<void> | null = null;
  /** The member's ensureActive, while one runs. */
  #activating: Promise<void> | null = null;
  /** Manual assignment's next auto-commit (Date.now() ms). */
  #nextAutoCommitAt = 0;
  #connected: Promise<void> | null = null;
  #ready = false;
  #closed = false;
  /** An error the next poll (or iterator step) throws. */
  #pendingError: KafkaClientError | null = null;
  #roundRunning = false;
  #roundAgain = false;
  #retryTimer: { at: number; timer: NodeJS.Timeout } | null = null;
  #changed: { promise: Promise<void>; resolve: () => void } | null = null;

  constructor(options: ConsumerOptions<K, V>) {
    this.#options = resolveConsumerOptions(options);
    this.#cluster = new ClusterClient(this.#options.client);
    // Up to about two responses' worth of a partition waits for the application: one being handed, one arriving.
    this.#subscriptions = new SubscriptionState<K, V>(this.#options.maxPartitionFetchBytes);
    this.#fetcher = new Fetcher(this.#cluster, this.#subscriptions, this.#options, {
      changed: () => this.#changedNow(),
      failed: (error) => this.#fail(error),
      retryAt: (at) => this.#retryAt(at),
    });
    this.#positions = new PositionFinder(
      this.#cluster,
      this.#subscriptions,
      { autoOffsetReset: this.#options.autoOffsetReset, readCommitted: this.#options.isolationLevel === 'read_committed' },
      (partitions) => this.#groupMember().fetchCommitted(partitions),
      { failed: (error) => this.#fail(error), retryAt: (at) => this.#retryAt(at) },
    );
  }

  /** Connects to the cluster (and joins the group after subscribe); the reading methods call it themselves. */
  async connect(): Promise<void> {
    this.#checkOpen('connect');
    this.#connected ??= this.#cluster.connect().then(() => {
      this.#ready = true;
    });
    try {
      await this.#connected;
    } catch (error) {
      this.#connected = null;
      throw error;
    }
    if (this.#member !== null && this.#mode === 'subscribe') {
      this.#memberStarted ??= this.#member.start();
      await this.#memberStarted;
    }
    this.#scheduleRound();
  }

  /** Joins the group for `topics` (needs groupId); the group assigns the partitions. */
  subscribe(topics: readonly string[]): void {
    this.#checkOpen('subscribe');
    if (this.#options.groupId === null) throw new KafkaConfigError('groupId', undefined, 'a group id, to subscribe');
    if (this.#mode === 'assign') throw new KafkaClientError('subscribe after assign: a consumer either is assigned partitions or subscribes', { retriable: false });
    if (!Array.isArray(topics) || topics.some((t) => typeof t !== 'string' || t.length === 0)) {
      throw new TypeError('subscribe takes an array of topic names');
    }
    this.#mode = 'subscribe';
    this.#topics = [...topics];
    this.#groupMember();
  }

  /** Reads exactly `partitions`, without group membership; each starts at its committed offset (with a groupId) or by autoOffsetReset. */
  assign(partitions: readonly TopicPartition[]): void {
    this.#checkOpen('assign');
    if (this.#mode === 'subscribe') throw new KafkaClientError('assign after subscribe: a consumer either is assigned partitions or subscribes', { retriable: false });
    checkPartitions(partitions, 'assign');
    this.#mode = 'assign';
    this.#subscriptions.assign(partitions, (state) => this.#startFromCommitted(state, null));
    this.#scheduleRound();
  }

  assignment(): TopicPartition[] {
    return this.#subscriptions.assignment();
  }

  /** The next record read from `partition` will be at `offset` (or at its earliest/latest offset). */
  seek(partition: TopicPartition, offset: bigint | 'earliest' | 'latest'): void {
    this.#checkOpen('seek');
    const state = this.#subscriptions.require(partition);
    if (typeof offset === 'bigint') {
      if (offset < 0n) throw new RangeError(`seek ${state.key}: offset ${offset} is negative`);
      this.#subscriptions.seek(state, offset);
    } else if (offset === 'earliest' || offset === 'latest') {
      this.#subscriptions.requestReset(state, offset);
    } else {
      throw new TypeError(`seek ${state.key}: offset must be a bigint, 'earliest' or 'latest', not ${String(offset)}`);
    }
    this.#scheduleRound();
  }

  /** The offset of the next record the application will be handed from `partition`; undefined while unknown. */
  position(partition: TopicPartition): bigint | undefined {
    const state = this.#subscriptions.require(partition);
    return consumedPosition(state)?.offset;
  }

  /** Stops handing (and fetching) records of `partitions` until resume; what is buffered stays. */
  pause(partitions: readonly TopicPartition[]): void {
    checkPartitions(partitions, 'pause');
    for (const partition of partitions) this.#subscriptions.require(partition).paused = true;
  }

  resume(partitions: readonly TopicPartition[]): void {
    checkPartitions(partitions, 'resume');
    for (const partition of partitions) this.#subscriptions.require(partition).paused = false;
    this.#scheduleRound();
    this.#notify();
  }

  paused(): TopicPartition[] {
    return [...this.#subscriptions.all()].filter((state) => state.paused).map((state) => state.topicPartition);
  }

  /** Every batch buffered now, or waits up to timeoutMs (default 1000) for one; [] on timeout. */
  async poll(options: { timeoutMs?: number } = {}): Promise<ConsumerBatch<K, V>[]> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_POLL_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new RangeError(`poll: timeoutMs ${timeoutMs} is not a number >= 0`);
    await this.#beforeRead('poll');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.#throwPending();
      const batches: ConsumerBatch<K, V>[] = [];
      for (let completed = this.#take(); completed !== undefined; completed = this.#take()) {
        this.#handOver(completed);
        batches.push(completed.batch);
      }
      if (batches.length > 0 || this.#closed) return batches;
      const left = deadline - Date.now();
      if (left <= 0) return batches;
      await this.#waitForChange(left);
    }
  }

  /** Batches, one partition's fetched records each, until close(). */
  async *[Symbol.asyncIterator](): AsyncIterator<ConsumerBatch<K, V>> {
    for (;;) {
      const completed = await this.#next('iterate');
      if (completed === undefined) return;
      this.#handOver(completed);
      yield completed.batch;
    }
  }

  /** Record by record until close(); the position moves past each record as it is handed. */
  async *records(): AsyncIterable<ConsumerRecord<K, V>> {
    for (;;) {
      const completed = await this.#next('records');
      if (completed === undefined) return;
      const cursor = this.#startCursor(completed);
      const { records } = completed.batch;
      const { state } = completed;
      try {
        for (let i = 0; i < records.length && state.cursor === cursor; i++) {
          cursor.index = i;
          yield records[i]!;
        }
      } finally {
        this.#endCursor(state, cursor);
      }
    }
  }

  /** Calls the handler for each batch or each record until close(); a handler's throw stops it and rejects. */
  async run(handlers: RunHandlers<K, V>): Promise<void> {
    const { eachRecord, eachBatch } = handlers ?? {};
    if ((eachRecord === undefined) === (eachBatch === undefined)) {
      throw new TypeError('run takes exactly one of eachRecord and eachBatch');
    }
    if (eachBatch !== undefined) {
      for (let completed = await this.#next('run'); completed !== undefined; completed = await this.#next('run')) {
        this.#handOver(completed);
        const result = eachBatch(completed.batch);
        if (isThenable(result)) await result;
      }
      return;
    }
    for (let completed = await this.#next('run'); completed !== undefined; completed = await this.#next('run')) {
      const cursor = this.#startCursor(completed);
      const { records } = completed.batch;
      const { state } = completed;
      try {
        for (let i = 0; i < records.length && state.cursor === cursor; i++) {
          cursor.index = i;
          const result = eachRecord!(records[i]!);
          if (isThenable(result)) await result;
        }
      } finally {
        this.#endCursor(state, cursor);
      }
    }
  }

  /** Commits `offsets`, or by default the positions of everything handed to the application (needs groupId). */
  async commit(offsets?: readonly CommitOffset[]): Promise<void> {
    this.#checkOpen('commit');
    const member = this.#groupMember();
    await this.connect();
    const toCommit = offsets ?? this.#consumedPositions();
    if (toCommit.length > 0) await member.commit(toCommit);
  }

  /** The group's committed offsets, keyed `${topic}-${partition}`; null where nothing is committed (needs groupId). */
  async committed(partitions: readonly TopicPartition[]): Promise<Map<string, bigint | null>> {
    this.#checkOpen('committed');
    checkPartitions(partitions, 'committed');
    const member = this.#groupMember();
    await this.connect();
    return member.fetchCommitted(partitions);
  }

  /**
   * The membership as Kafka's ConsumerGroupMetadata has it, with the last
   * join's leader and assignor (for instrumentation such as kafkajs's
   * GROUP_JOIN); null without a group.
   */
  groupMetadata(): { groupId: string; generationId: number; memberId: string; groupInstanceId: string | null; leaderId: string | null; protocolName: string | null } | null {
    const member = this.#member;
    if (member === null || this.#options.groupId === null) return null;
    const join = member.lastJoin;
    return {
      groupId: this.#options.groupId,
      generationId: member.generationId,
      memberId: member.memberId,
      groupInstanceId: this.#options.groupInstanceId,
      leaderId: join?.leaderId ?? null,
      protocolName: join?.protocolName ?? null,
    };
  }

  /** Commits what was handed (auto-commit), leaves the group (unless static) and closes the connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#fetcher.close();
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer.timer);
    this.#notify();
    const member = this.#member;
    const logger = this.#options.client.logger;
    const positions = this.#options.enableAutoCommit ? this.#consumedPositions() : [];
    const finalCommit = (to: GroupMember) => to.commit(positions).catch((error: unknown) => logger.warn('final auto-commit failed', { error: String(error) }));
    if (this.#mode === 'subscribe' && member !== null && this.#memberStarted !== null) {
      if (positions.length > 0) await finalCommit(member);
      await member.leave().catch((error: unknown) => logger.warn('leaving the group failed', { error: String(error) }));
    } else if (this.#mode === 'assign' && positions.length > 0) {
      await finalCommit(this.#groupMember());
    }
    await this.#cluster.close();
  }

  // The group member's view of this consumer.
  #groupHost(): GroupHost {
    return {
      cluster: this.#cluster,
      subscribedTopics: () => this.#topics,
      // About to be revoked: nothing more of theirs reaches the application while their positions are committed.
      partitionsRevoking: (partitions) => {
        for (const partition of partitions) {
          const state = this.#subscriptions.get(partition);
          if (state !== undefined) state.paused = true;
        }
      },
      partitionsRevoked: async (partitions) => this.#dropPartitions(partitions),
      partitionsLost: async (partitions) => this.#dropPartitions(partitions),
      partitionsAssigned: async (partitions) => {
        for (const partition of partitions) {
          this.#subscriptions.add(partition, (state) => this.#startFromCommitted(state, partition.committed, partition.leaderEpoch));
        }
        this.#scheduleRound();
      },
      consumedPositions: (partitions) => this.#consumedPositions(partitions),
    };
  }

  #groupMember(): GroupMember {
    if (this.#options.groupId === null) throw new KafkaConfigError('groupId', undefined, 'a group id, to commit or read committed offsets');
    this.#member ??= new GroupMember(this.#groupHost(), this.#options.group!);
    if (this.#mode === 'subscribe' && this.#ready) this.#memberStarted ??= this.#member.start().catch((error: unknown) => this.#fail(clientErrorOf(error)));
    return this.#member;
  }

  #dropPartitions(partitions: readonly TopicPartition[]): void {
    this.#subscriptions.remove(partitions);
  }

  /** A new partition's start: the committed offset given, else the group's (looked up), else autoOffsetReset. */
  #startFromCommitted(state: PartitionState<K, V>, committed: bigint | null, leaderEpoch = -1): void {
    if (committed !== null && committed >= 0n) {
      this.#subscriptions.seek(state, committed, leaderEpoch);
    } else if (this.#mode === 'assign' && this.#options.groupId !== null) {
      state.awaitingCommitted = true;
    } else {
      state.resetStrategy = this.#options.autoOffsetReset;
    }
  }

  #consumedPositions(partitions?: readonly TopicPartition[]): (TopicPartition & { offset: bigint; leaderEpoch: number })[] {
    const states = partitions === undefined ? [...this.#subscriptions.all()] : partitions.map((p) => this.#subscriptions.get(p));
    const out: (TopicPartition & { offset: bigint; leaderEpoch: number })[] = [];
    for (const state of states) {
      const position = state === undefined ? null : consumedPosition(state);
      if (position !== null) out.push({ topic: state!.topic, partition: state!.partition, ...position });
    }
    return out;
  }

  async #beforeRead(what: string): Promise<void> {
    this.#checkOpen(what);
    if (!this.#ready || (this.#mode === 'subscribe' && this.#memberStarted === null)) await this.connect();
    if (this.#mode === 'subscribe') {
      this.#member?.polled();
      this.#keepMemberActive();
    } else {
      this.#autoCommitAssigned();
    }
  }

  /**
   * Auto-commit for manual assignment (a group member has its own timer):
   * as Kafka's consumer, when the application asks for more and the interval
   * has passed, so what is committed was handed over before this read.
   */
  #autoCommitAssigned(): void {
    if (!this.#options.enableAutoCommit || this.#mode !== 'assign') return;
    const now = Date.now();
    if (now < this.#nextAutoCommitAt) return;
    this.#nextAutoCommitAt = now + this.#options.autoCommitIntervalMs;
    const positions = this.#consumedPositions();
    if (positions.length === 0) return;
    this.#groupMember()
      .commit(positions)
      .catch((error: unknown) => this.#options.client.logger.warn('auto-commit failed', { error: String(error) }));
  }

  /** The next batch for the application, waiting as long as it takes; undefined once closed. */
  async #next(what: string): Promise<CompletedFetch<K, V> | undefined> {
    if (this.#closed) return undefined;
    await this.#beforeRead(what);
    for (;;) {
      this.#throwPending();
      const completed = this.#take();
      if (completed !== undefined || this.#closed) return completed;
      await this.#waitForChange(undefined);
    }
  }

  /** The oldest buffered batch with records; batches with none (control or aborted only) just move the position. */
  #take(): CompletedFetch<K, V> | undefined {
    for (;;) {
      const completed = this.#subscriptions.takeNext();
      if (completed === undefined) return undefined;
      this.#scheduleRound(); // its buffer has room now
      if (completed.batch.records.length > 0) return completed;
      this.#handOver(completed);
    }
  }

  /** The whole batch is the application's: the position moves past it. */
  #handOver({ state, nextOffset, nextEpoch }: Pick<CompletedFetch<K, V>, 'state' | 'nextOffset' | 'nextEpoch'>): void {
    state.cursor = null;
    state.position = nextOffset;
    if (nextEpoch >= 0) state.positionEpoch = nextEpoch;
  }

  #startCursor(completed: CompletedFetch<K, V>): RecordCursor<K, V> {
    const cursor: RecordCursor<K, V> = { records: completed.batch.records, index: -1, nextOffset: completed.nextOffset, nextEpoch: completed.nextEpoch };
    completed.state.cursor = cursor;
    return cursor;
  }

  /**
   * The record-by-record hand-over of a batch is over. Done: the position
   * moves past the batch. Stopped part-way (a break, a throwing handler):
   * the partition is sought to just after the last record handed, so the
   * rest is fetched again rather than skipped.
   */
  #endCursor(state: PartitionState<K, V>, cursor: RecordCursor<K, V>): void {
    if (state.cursor !== cursor) return; // sought or revoked meanwhile
    if (cursor.index < cursor.records.length - 1) {
      const { offset, leaderEpoch } = consumedPosition(state)!;
      this.#subscriptions.seek(state, offset, leaderEpoch);
      this.#scheduleRound();
      return;
    }
    this.#handOver({ state, nextOffset: cursor.nextOffset, nextEpoch: cursor.nextEpoch });
  }

  #throwPending(): void {
    const error = this.#pendingError;
    if (error !== null) {
      this.#pendingError = null;
      throw error;
    }
    for (const state of this.#subscriptions.all()) {
      if (state.position === null && state.resetStrategy === 'none') throw new NoOffsetForPartitionError(state.topic, state.partition);
    }
  }

  #checkOpen(what: string): void {
    if (this.#closed) throw new KafkaClosedError(`${what} on a closed consumer`);
  }

  #fail(error: KafkaClientError): void {
    this.#pendingError ??= error;
    this.#notify();
  }

  /** Background work failed: a retriable error asks for another round after the backoff; any other is the application's. */
  #retryOrFail(error: unknown): void {
    if (this.#closed) return;
    const failure = clientErrorOf(error);
    if (failure.retriable) this.#retryAt(Date.now() + this.#cluster.options.retryBackoffMs);
    else this.#fail(failure);
  }

  #changedNow(): void {
    this.#notify();
    this.#scheduleRound();
  }

  #notify(): void {
    const changed = this.#changed;
    this.#changed = null;
    changed?.resolve();
  }

  async #waitForChange(timeoutMs: number | undefined): Promise<void> {
    if (this.#changed === null) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#changed = { promise, resolve };
    }
    if (timeoutMs === undefined) return this.#changed.promise;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    try {
      await Promise.race([this.#changed.promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #retryAt(at: number): void {
    if (this.#closed || (this.#retryTimer !== null && this.#retryTimer.at <= at)) return;
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer.timer);
    const timer = setTimeout(
      () => {
        this.#retryTimer = null;
        this.#scheduleRound();
      },
      Math.max(0, at - Date.now()),
    );
    this.#retryTimer = { at, timer };
  }

  #scheduleRound(): void {
    if (this.#closed || !this.#ready) return;
    if (this.#roundRunning) {
      this.#roundAgain = true;
      return;
    }
    this.#roundRunning = true;
    void this.#runRounds();
  }

  async #runRounds(): Promise<void> {
    try {
      do {
        this.#roundAgain = false;
        this.#keepMemberActive();
        await this.#positions.findPositions();
        if (this.#closed) return;
        await this.#fetcher.sendFetches();
      } while (this.#roundAgain && !this.#closed);
    } catch (error) {
      this.#retryOrFail(error);
    } finally {
      this.#roundRunning = false;
    }
  }

  /**
   * Completes a pending rebalance in the background rather than holding the
   * round: in a cooperative rebalance the partitions that stay keep being
   * fetched while the member rejoins (an eager member has revoked them all).
   */
  #keepMemberActive(): void {
    const member = this.#member;
    if (member === null || this.#mode !== 'subscribe' || this.#memberStarted === null || this.#activating !== null) return;
    this.#activating = member
      .ensureActive()
      .catch((error: unknown) => this.#retryOrFail(error))
      .finally(() => {
        this.#activating = null;
        if (member.rebalancing) this.#scheduleRound();
      });
  }
}
