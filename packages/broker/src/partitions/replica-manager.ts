import { statfs } from 'node:fs/promises';
import { RepeatedLog, type Logger } from '@kstream/actor';
import { ErrorCode, ZERO_UUID } from '@kstream/protocol';
import {
  LogCleaner,
  OffsetOutOfRangeError,
  type CleanJob,
  type CleanSummary,
  type EpochEndOffset,
  type LeaderAppendOrigin,
  type LogCleanerConfig,
  type OpenFileBudget,
  type TxnMarker,
  type VerificationGuard,
} from '@kstream/log-storage';
import {
  AlterPartitionManager,
  DelayedFetchPurgatory,
  PartitionError,
  errorCodeOf,
  errorMessageOf,
  partitionKey,
  type Partition,
  ReplicaFetcherManager,
  replicaLeaderServer,
  type PartitionConfig,
  type ReplicaFetcherOptions,
  type ReplicaPeers,
  type ReplicaRequestServer,
  type SendAlterPartition,
} from '@kstream/replication';
import type { TxnMarkerEntry, TxnMarkerResult } from '@kstream/transaction-coordinator';
import type { TrafficMetrics } from '../metrics/traffic-metrics.js';
import { transactionalProducer, type TxnVerifier } from '../txn/txn-verification.js';
import { FetchSessionCache } from './fetch-session-cache.js';
import type { FetchPartitionParams, FetchPartitionResult } from './fetch-session.js';
import { HostedPartitions, type HostedPartitionsOptions, type PartitionAssignment, type RoleListener } from './hosted-partitions.js';
import { fetchOffsetForTimestamp, type OffsetAndTimestamp } from './partition-offsets.js';

export interface ReplicaManagerOptions extends Pick<HostedPartitionsOptions, 'offlineRetryBackoff' | 'fileSystem' | 'openFiles'> {
  readonly brokerId: number;
  /** The broker's registration epoch, which its AlterPartition requests carry. */
  readonly brokerEpoch?: () => number;
  /** Sends an ISR change of a partition this broker leads to the controller. */
  readonly sendAlterPartition?: SendAlterPartition;
  /** Where appends, consumers' fetches and accepted ISR changes are counted (the broker's metrics). */
  readonly traffic?: Pick<TrafficMetrics, 'appended' | 'fetched' | 'isrChanged'>;
  /** replica.lag.time.max.ms (Kafka's 30000); the ISR is checked every half of it. */
  readonly replicaLagTimeMaxMs?: number;
  /** The channels to the other brokers, over which followed partitions are fetched; without them (a lone broker) every fetch backs off. */
  readonly peers?: ReplicaPeers;
  /** replica.fetch.wait.max.ms, replica.fetch.max.bytes, replica.fetch.response.max.bytes, replica.fetch.backoff.ms, replica.socket.timeout.ms (Kafka's defaults when absent). */
  readonly replicaFetch?: Partial<Pick<ReplicaFetcherOptions, 'maxWaitMs' | 'partitionMaxBytes' | 'maxBytes' | 'backoffMs' | 'requestTimeoutMs'>>;
  /** `<data-dir>/broker-<id>`. */
  readonly logDir: string;
  readonly logger: Logger;
  readonly clock?: () => number;
  /** log.retention.check.interval.ms (Kafka's 300000). */
  readonly retentionCheckIntervalMs?: number;
  /** replica.high.watermark.checkpoint.interval.ms (Kafka's 5000). */
  readonly highWatermarkCheckpointIntervalMs?: number;
  /**
   * log.flush.offset.checkpoint.interval.ms: recovery points and log start
   * offsets. 10 s, not Kafka's 60 s: a log checkpoints its recovery point
   * itself once a rolled segment is flushed, so the timer carries only what
   * flush.ms / flush.messages flushes and retention or DeleteRecords move —
   * and a checkpoint with nothing moved writes nothing.
   */
  readonly recoveryPointCheckpointIntervalMs?: number;
  /** max.incremental.fetch.session.cache.slots (Kafka's 1000). */
  readonly fetchSessionCacheSlots?: number;
  /** max.incremental.fetch.session.cache.partitions (kstream's own; 1,000,000). */
  readonly fetchSessionCachePartitions?: number;
  /** min.incremental.fetch.session.eviction.ms (Kafka's 120000). */
  readonly fetchSessionEvictionMs?: number;
  /**
   * The log cleaner of the hosted compacted logs: its log.cleaner.* settings
   * and where a clean runs (the broker passes its pool). Without it no log
   * is compacted.
   */
  readonly logCleaner?: { readonly config: LogCleanerConfig; readonly execute: (job: CleanJob) => Promise<CleanSummary> };
  /** producer.id.expiration.check.interval.ms (Kafka's 600000): how often expired producers are removed from every hosted log. */
  readonly producerIdExpirationCheckIntervalMs?: number;
  /** producer.id.expiration.ms (Kafka's 86400000), read per check: a dynamic config. */
  readonly producerIdExpirationMs?: () => number;
}

/** Told of each transaction marker written here and replicated (acks=all): the group coordinator completes the transaction's offsets. */
export type TxnMarkerListener = (topic: string, partition: number, marker: TxnMarker) => void;

export interface AppendResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly baseOffset: bigint;
  /** The broker's timestamp under LogAppendTime; -1 under CreateTime. */
  readonly logAppendTimeMs: bigint;
  readonly logStartOffset: bigint;
}

export interface FetchParams {
  readonly maxWaitMs: number;
  readonly minBytes: number;
  /** The response's byte limit (the first batch is returned whole even when larger). */
  readonly maxBytes: number;
  /** read_committed: read up to the last stable offset. */
  readonly readCommitted: boolean;
  readonly partitions: readonly FetchPartitionParams[];
}

export interface LogDirDescription {
  readonly logDir: string;
  readonly totalBytes: bigint;
  readonly usableBytes: bigint;
  readonly partitions: readonly { topic: string; partition: number; size: number }[];
}

const EMPTY_RECORDS = Buffer.alloc(0);
/** Kafka's replica.lag.time.max.ms. */
const DEFAULT_REPLICA_LAG_TIME_MAX_MS = 30_000;
/** Kafka's producer.id.expiration.ms. */
const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000;
/** The wait before an AlterPartition that failed as a whole is sent again (Kafka retries its controller requests after 100 ms or so). */
const ALTER_PARTITION_RETRY_BACKOFF_MS = 100;

interface ReplicaManagerParts {
  readonly hosted: HostedPartitions;
  readonly consumers: DelayedFetchPurgatory;
  readonly followers: DelayedFetchPurgatory;
  readonly alterPartitions: AlterPartitionManager;
  readonly fetchers: ReplicaFetcherManager;
  readonly roleListeners: Set<RoleListener>;
  readonly cleaner: LogCleaner | undefined;
}

/**
 * The partitions this broker hosts and their data path (Kafka's
 * ReplicaManager): its HostedPartitions open, update and delete partitions
 * as metadata assigns them and keep the log directory's checkpoints; it runs
 * retention, producer id expiration and the periodic checkpoints, and serves Produce (appendRecords), Fetch (fetchMessages, with long polls
 * parked in the fetch purgatory and KIP-227 sessions in `fetchSessions`),
 * WriteTxnMarkers, ListOffsets, DeleteRecords, OffsetForLeaderEpoch and DescribeLogDirs.
 * Every failure of one partition is answered as that partition's Kafka
 * error code. Not thread-safe; owned by the broker worker's loop.
 */
export class ReplicaManager {
  readonly brokerId: number;
  readonly fetchSessions: FetchSessionCache;
  /** Consumers' fetches, woken as high watermarks move. */
  readonly purgatory: DelayedFetchPurgatory;
  /** Followers' fetches, woken as this broker appends as leader. */
  readonly replicaFetchPurgatory: DelayedFetchPurgatory;
  /** The replica fetchers of the partitions this broker follows. */
  readonly fetchers: ReplicaFetcherManager;
  /** Answers followers' ReplicaFetch and OffsetsForLeaderEpoch for the partitions this broker leads (the peers' handler). */
  readonly serveReplicaRequest: ReplicaRequestServer;
  readonly #alterPartitions: AlterPartitionManager;
  readonly #hosted: HostedPartitions;
  readonly #roleListeners: Set<RoleListener>;
  /** Failures that repeat on every request or every run (a corrupt batch fetched, a full disk): logged once in full, then summarised. */
  readonly #repeated: RepeatedLog;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #markerListeners = new Set<TxnMarkerListener>();
  readonly #clock: () => number;
  readonly #producerIdExpirationMs: () => number;
  readonly #cleaner: LogCleaner | undefined;
  readonly #traffic: ReplicaManagerOptions['traffic'];
  #closed = false;

  private constructor(options: ReplicaManagerOptions, parts: ReplicaManagerParts) {
    const { hosted } = parts;
    this.#cleaner = parts.cleaner;
    this.#traffic = options.traffic;
    this.#cleaner?.start();
    this.brokerId = options.brokerId;
    this.#clock = options.clock ?? Date.now;
    this.#producerIdExpirationMs = options.producerIdExpirationMs ?? (() => DEFAULT_PRODUCER_ID_EXPIRATION_MS);
    this.#repeated = new RepeatedLog(options.logger);
    this.#hosted = hosted;
    this.#roleListeners = parts.roleListeners;
    this.purgatory = parts.consumers;
    this.replicaFetchPurgatory = parts.followers;
    this.fetchers = parts.fetchers;
    this.#alterPartitions = parts.alterPartitions;
    this.serveReplicaRequest = replicaLeaderServer({ purgatory: parts.followers, partitions: this });
    this.fetchSessions = new FetchSessionCache({
      maxSlots: options.fetchSessionCacheSlots ?? 1000,
      maxPartitions: options.fetchSessionCachePartitions ?? 1_000_000,
      evictionMs: options.fetchSessionEvictionMs ?? 120_000,
      clock: options.clock ?? Date.now,
    });
    this.#every('Retention', options.retentionCheckIntervalMs ?? 300_000, () => this.runRetention());
    this.#every('High watermark checkpoint', options.highWatermarkCheckpointIntervalMs ?? 5_000, () => hosted.checkpointHighWatermarks());
    this.#every('Recovery point checkpoint', options.recoveryPointCheckpointIntervalMs ?? 60_000, () => hosted.checkpointRecoveryPoints());
    this.#every('ISR expiration', (options.replicaLagTimeMaxMs ?? DEFAULT_REPLICA_LAG_TIME_MAX_MS) / 2, async () => {
      for (const partition of hosted.all()) partition.maybeShrinkIsr();
    });
    this.#every('Producer id expiration', options.producerIdExpirationCheckIntervalMs ?? 600_000, async () => this.removeExpiredProducers());
  }

  /** Opens the broker's log directory; partitions are hosted as metadata assigns them. */
  static async open(options: ReplicaManagerOptions): Promise<ReplicaManager> {
    const consumers = new DelayedFetchPurgatory();
    const followers = new DelayedFetchPurgatory();
    const alterPartitions = new AlterPartitionManager({
      brokerId: options.brokerId,
      brokerEpoch: options.brokerEpoch ?? (() => -1),
      send: options.sendAlterPartition ?? (() => Promise.reject(new Error(`broker ${options.brokerId} has no controller to send AlterPartition to`))),
      retryBackoffMs: ALTER_PARTITION_RETRY_BACKOFF_MS,
      logger: options.logger,
    });
    const fetchers = new ReplicaFetcherManager({
      brokerId: options.brokerId,
      peers: options.peers ?? { ask: (brokerId) => Promise.reject(new Error(`broker ${options.brokerId} has no channel to broker ${brokerId}`)) },
      maxWaitMs: options.replicaFetch?.maxWaitMs ?? 500,
      partitionMaxBytes: options.replicaFetch?.partitionMaxBytes ?? 1_048_576,
      maxBytes: options.replicaFetch?.maxBytes ?? 10_485_760,
      backoffMs: options.replicaFetch?.backoffMs ?? 1_000,
      requestTimeoutMs: options.replicaFetch?.requestTimeoutMs ?? 30_000,
      clock: options.clock,
      logger: options.logger,
    });
    const roleListeners = new Set<RoleListener>();
    const hosted = await HostedPartitions.open({
      ...options,
      fetchers,
      replication: {
        brokerId: options.brokerId,
        clock: options.clock ?? Date.now,
        replicaLagTimeMaxMs: options.replicaLagTimeMaxMs ?? DEFAULT_REPLICA_LAG_TIME_MAX_MS,
        alterPartition: async (item, isStale, isrSize) => {
          const result = await alterPartitions.submit(item, isStale);
          if (result?.errorCode === ErrorCode.NONE) options.traffic?.isrChanged(isrSize, result.isr.length);
          return result;
        },
        onHighWatermarkMoved: (partition, bytes, stableBytes) => {
          consumers.dataArrived(partition.name, bytes, stableBytes);
          followers.offsetsMoved(partition.name);
        },
        onLeaderAppend: (partition, bytes) => followers.dataArrived(partition.name, bytes),
        logger: options.logger,
      },
      onPartitionChanged: (key) => {
        consumers.partitionChanged(key);
        followers.partitionChanged(key);
      },
      onRoleChanged: (topic, partition, role) => {
        for (const listener of roleListeners) listener(topic, partition, role);
      },
    });
    const cleaner =
      options.logCleaner === undefined
        ? undefined
        : await LogCleaner.open({
            io: hosted.io,
            // A follower cleans too, as in Kafka, below its own high watermark: the leader's gaps and its own agree record for record.
            logs: () => hosted.all().map((partition) => ({ log: partition.log, lastStableOffset: partition.lastStableOffset })),
            execute: options.logCleaner.execute,
            config: options.logCleaner.config,
            logger: options.logger,
            clock: options.clock,
          });
    return new ReplicaManager(options, { hosted, consumers, followers, alterPartitions, fetchers, roleListeners, cleaner });
  }

  get logDir(): string {
    return this.#hosted.logDir;
  }

  /** The files the log directory holds open, its limit (log.open.files.max), and the idle ones closed to make room. */
  get logFiles(): Pick<OpenFileBudget, 'open' | 'limit' | 'evictions' | 'outside'> {
    return this.#hosted.io.budget;
  }

  /** See HostedPartitions.setPartitionExists. */
  setPartitionExists(exists: (topic: string, partition: number) => boolean): void {
    this.#hosted.setPartitionExists(exists);
  }

  partition(topic: string, partition: number): Partition | undefined {
    return this.#hosted.get(topic, partition);
  }

  hostedPartitions(): Partition[] {
    return this.#hosted.all();
  }

  /**
   * Tells `listener` of every change of this broker's role in a partition
   * from now on: leading it in a leader epoch once it takes appends in that
   * epoch, following it, or no longer hosting it (deleted, reassigned away).
   * Subscribe before metadata is applied to hear of every partition. Returns
   * the unsubscribe.
   */
  onRoleChanged(listener: RoleListener): () => void {
    this.#roleListeners.add(listener);
    return () => this.#roleListeners.delete(listener);
  }

  /** Hosts, updates or stops hosting a partition as metadata assigns it (see HostedPartitions). */
  applyAssignment(assignment: PartitionAssignment): Promise<void> {
    return this.#hosted.applyAssignment(assignment);
  }

  updateTopicConfig(topic: string, config: PartitionConfig): void {
    this.#hosted.updateTopicConfig(topic, config);
  }

  removeTopic(topicId: string): Promise<void> {
    return this.#hosted.removeTopic(topicId);
  }

  reconcile(assignments: readonly PartitionAssignment[]): Promise<void> {
    return this.#hosted.reconcile(assignments);
  }

  /** Resolves once the partitions' changes asked for so far (opening logs, taking roles) have finished. */
  partitionsSettled(): Promise<void> {
    return this.#hosted.settled();
  }

  /** The partition, led by this broker, for a client's request (see HostedPartitions.leader). */
  leaderPartition(topic: string, partition: number, currentLeaderEpoch = -1): Promise<Partition> {
    return this.#hosted.leader(topic, partition, currentLeaderEpoch);
  }

  /** leaderPartition in the same turn, by key; undefined while a hosting change of the partition is in flight. */
  leaderPartitionNow(key: string, topic: string, partition: number, currentLeaderEpoch = -1): Partition | undefined {
    return this.#hosted.leaderNow(key, topic, partition, currentLeaderEpoch);
  }

  checkpointHighWatermarks(): Promise<void> {
    return this.#hosted.checkpointHighWatermarks();
  }

  // ---- The data path ----

  /**
   * Produce for one partition: appends as leader (see Partition.appendRecordsToLeader);
   * with acks=-1, answers once the high watermark covers the append (see
   * Partition.waitForReplication: REQUEST_TIMED_OUT after `timeoutMs`,
   * NOT_ENOUGH_REPLICAS_AFTER_APPEND, NOT_LEADER_OR_FOLLOWER). With
   * `leaderEpoch` (a coordinator's write), only as leader in that epoch:
   * NOT_LEADER_OR_FOLLOWER in any other. `origin` 'coordinator' is a
   * coordinator writing its own topic: producer epochs are checked,
   * sequences not. A retried idempotent batch already in the log answers
   * NONE with the original's base offset (acks=-1 still waits until it is
   * replicated). With `verifier` (a transactional id's Produce, KIP-890), a
   * transactional batch whose producer has no open transaction here is
   * appended only once the coordinator confirms the partition is in the
   * producer's transaction, and only if no marker or transactional batch of
   * the producer was written meanwhile (the log's verification guard):
   * otherwise the verifier's error (INVALID_TXN_STATE, retriable
   * NOT_ENOUGH_REPLICAS, ...).
   */
  async appendRecords(
    topic: string,
    partition: number,
    records: Buffer,
    acks: number,
    timeoutMs: number,
    leaderEpoch?: number,
    origin: LeaderAppendOrigin = 'client',
    verifier?: TxnVerifier,
  ): Promise<AppendResult> {
    try {
      const leader = await this.leaderPartition(topic, partition);
      // Checked in the same turn as the append starts, so no newer epoch can slip between.
      if (leaderEpoch !== undefined && leader.leaderEpoch !== leaderEpoch) {
        throw new PartitionError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Broker ${this.brokerId} leads ${leader.name} in leader epoch ${leader.leaderEpoch}, not ${leaderEpoch}`);
      }
      const txn = verifier === undefined ? undefined : transactionalProducer(records);
      let guard: VerificationGuard | undefined;
      if (txn !== undefined && !leader.log.hasOngoingTransaction(txn.producerId)) {
        guard = leader.log.verificationGuard(txn.producerId);
        const verified = await verifier!({ topic, partition }, txn.producerId, txn.producerEpoch);
        if (verified.errorCode !== ErrorCode.NONE) throw new PartitionError(verified.errorCode, verified.errorMessage ?? '');
      }
      const info = await leader.appendRecordsToLeader(records, acks, origin, guard);
      if (info.duplicate !== true) this.#traffic?.appended(topic, partition, info.validBytes, Number(info.lastOffset - info.firstOffset) + 1);
      if (acks === -1) {
        const replicated = await leader.waitForReplication(info.lastOffset + 1n, timeoutMs);
        if (replicated.errorCode !== ErrorCode.NONE) throw new PartitionError(replicated.errorCode, replicated.message ?? '');
      }
      return { errorCode: ErrorCode.NONE, errorMessage: null, baseOffset: info.firstOffset, logAppendTimeMs: info.logAppendTime, logStartOffset: info.logStartOffset };
    } catch (error) {
      this.#logUnexpected('produce', topic, partition, error);
      return { errorCode: errorCodeOf(error), errorMessage: errorMessageOf(error), baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n };
    }
  }

  /**
   * WriteTxnMarkers: each marker appended as leader to each of its
   * partitions, then waited for until replicated (acks=all, at most
   * `timeoutMs`); answered per marker and partition, in the order asked,
   * with Kafka's error code — NOT_LEADER_OR_FOLLOWER,
   * UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT,
   * INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED. Once a marker is
   * replicated the marker listeners hear of it. Never rejects.
   */
  writeTxnMarkers(markers: readonly TxnMarkerEntry[], timeoutMs: number): Promise<TxnMarkerResult[][]> {
    return Promise.all(markers.map((marker) => Promise.all(marker.partitions.map(({ topic, partition }) => this.#writeTxnMarker(marker, topic, partition, timeoutMs)))));
  }

  async #writeTxnMarker(entry: TxnMarkerEntry, topic: string, partition: number, timeoutMs: number): Promise<TxnMarkerResult> {
    const { producerId, producerEpoch, coordinatorEpoch, commit } = entry;
    const marker: TxnMarker = { producerId, producerEpoch, coordinatorEpoch, commit };
    try {
      const leader = await this.leaderPartition(topic, partition);
      const info = await leader.appendTxnMarkerToLeader(marker);
      const replicated = await leader.waitForReplication(info.lastOffset + 1n, timeoutMs);
      if (replicated.errorCode !== ErrorCode.NONE) throw new PartitionError(replicated.errorCode, replicated.message ?? '');
      for (const listener of this.#markerListeners) listener(topic, partition, marker);
      return { topic, partition, errorCode: ErrorCode.NONE };
    } catch (error) {
      this.#logUnexpected('transaction marker', topic, partition, error);
      return { topic, partition, errorCode: errorCodeOf(error) };
    }
  }

  /** Tells `listener` of every transaction marker written and replicated from now on; returns the unsubscribe. */
  onTxnMarkerWritten(listener: TxnMarkerListener): () => void {
    this.#markerListeners.add(listener);
    return () => this.#markerListeners.delete(listener);
  }

  /**
   * Fetch: reads every partition (see readPartitions); unless that already
   * gives `minBytes`, an error, or `maxWaitMs` is 0, parks until enough
   * bytes arrive, the wait runs out or a partition changes, then reads again.
   */
  async fetchMessages(params: FetchParams): Promise<FetchPartitionResult[]> {
    const results = await this.#fetchMessages(params);
    const traffic = this.#traffic;
    if (traffic !== undefined) {
      results.forEach((result, i) => {
        const { topic, partition } = params.partitions[i]!;
        if (result.records.length > 0) traffic.fetched(topic, partition, result.records.length);
      });
    }
    return results;
  }

  async #fetchMessages(params: FetchParams): Promise<FetchPartitionResult[]> {
    if (params.maxWaitMs <= 0) return this.readPartitions(params);
    // Watching starts before the first read, so data appended while it reads still counts.
    const parked = this.purgatory.watch(
      params.partitions.map((p) => partitionKey(p.topic, p.partition)),
      { readCommitted: params.readCommitted },
    );
    try {
      const first = await this.readPartitions(params);
      const bytes = first.reduce((sum, r) => sum + r.records.length, 0);
      const immediate = params.partitions.length === 0 || bytes >= params.minBytes || first.some((r) => r.errorCode !== 0);
      if (immediate || this.#closed) return first;
      await parked.wait(params.minBytes - bytes, params.maxWaitMs);
      return await this.readPartitions(params);
    } finally {
      parked.complete();
    }
  }

  /**
   * One read of each partition in order, within the response's byte limit:
   * each partition gets at most its own limit and what the response has
   * left; until one returns data, the first batch is returned whole even if
   * larger (so a fetch always makes progress). Records are the log's buffers.
   */
  async readPartitions(params: Pick<FetchParams, 'maxBytes' | 'readCommitted' | 'partitions'>): Promise<FetchPartitionResult[]> {
    const results: FetchPartitionResult[] = [];
    let remaining = params.maxBytes;
    let minOneMessage = true;
    for (const p of params.partitions) {
      const result = await this.#readPartition(p, Math.min(p.partitionMaxBytes, remaining), minOneMessage, params.readCommitted);
      if (result.records.length > 0) {
        minOneMessage = false;
        remaining = Math.max(0, remaining - result.records.length);
      }
      results.push(result);
    }
    return results;
  }

  async #readPartition(p: FetchPartitionParams, maxBytes: number, minOneMessage: boolean, readCommitted: boolean): Promise<FetchPartitionResult> {
    if (p.topic === '') return errorResult(ErrorCode.UNKNOWN_TOPIC_ID);
    let partition: Partition | undefined;
    try {
      partition = await this.leaderPartition(p.topic, p.partition, p.currentLeaderEpoch);
      if (p.topicId !== ZERO_UUID && p.topicId !== partition.state.topicId) {
        throw new PartitionError(ErrorCode.INCONSISTENT_TOPIC_ID, `Topic id ${p.topicId} does not match ${partition.name}'s ${partition.state.topicId}`);
      }
      const { highWatermark, lastStableOffset, logStartOffset } = partition;
      const { records, abortedTransactions } = await partition.read(p.fetchOffset, maxBytes, minOneMessage, readCommitted);
      return { errorCode: ErrorCode.NONE, highWatermark, lastStableOffset, logStartOffset, records, abortedTransactions };
    } catch (error) {
      this.#logUnexpected('fetch', p.topic, p.partition, error);
      if (error instanceof OffsetOutOfRangeError && partition !== undefined) {
        const { highWatermark, lastStableOffset, logStartOffset } = partition;
        return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark, lastStableOffset, logStartOffset, records: EMPTY_RECORDS, abortedTransactions: null };
      }
      return errorResult(errorCodeOf(error));
    }
  }

  /** ListOffsets for one partition (see fetchOffsetForTimestamp), on its leader. */
  async fetchOffsetForTimestamp(topic: string, partition: number, timestamp: bigint, readCommitted: boolean, currentLeaderEpoch = -1): Promise<OffsetAndTimestamp> {
    const leader = await this.leaderPartition(topic, partition, currentLeaderEpoch);
    return fetchOffsetForTimestamp(leader, timestamp, readCommitted);
  }

  /** DeleteRecords for one partition: the new low watermark (log start offset). */
  async deleteRecords(topic: string, partition: number, offset: bigint): Promise<bigint> {
    const leader = await this.leaderPartition(topic, partition);
    return leader.deleteRecordsOnLeader(offset);
  }

  /** OffsetForLeaderEpoch for one partition: the end offset of `leaderEpoch` from the leader epoch cache. */
  async lastOffsetForLeaderEpoch(topic: string, partition: number, leaderEpoch: number, currentLeaderEpoch = -1): Promise<EpochEndOffset> {
    const leader = await this.leaderPartition(topic, partition, currentLeaderEpoch);
    return leader.log.endOffsetForEpoch(leaderEpoch);
  }

  /** DescribeLogDirs: this broker's one log directory, its partitions' sizes (by topic and partition) and the file system's space. */
  async describeLogDir(): Promise<LogDirDescription> {
    const fs = await this.#hosted.io.attempt('statfs', this.logDir, () => statfs(this.logDir, { bigint: true }));
    return {
      logDir: this.logDir,
      totalBytes: fs.blocks * fs.bsize,
      usableBytes: fs.bavail * fs.bsize,
      partitions: this.hostedPartitions()
        .map((p) => ({ topic: p.topic, partition: p.partition, size: p.log.size }))
        .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1)),
    };
  }

  // ---- Background work ----

  /** Deletes segments beyond retention.ms / retention.bytes in every hosted log (never at or above the high watermark). */
  async runRetention(): Promise<number> {
    let deleted = 0;
    for (const partition of this.hostedPartitions()) {
      try {
        deleted += await partition.log.deleteOldSegments(partition.highWatermark);
      } catch (error) {
        this.#repeated.error(`retention|${partition.name}|${errorClass(error)}`, 'Retention failed', { partition: partition.name, error });
      }
    }
    return deleted;
  }

  /**
   * Removes from every hosted log, leader's and follower's alike, the
   * producers idle for longer than producer.id.expiration.ms with no open
   * transaction there; returns how many.
   */
  removeExpiredProducers(): number {
    const now = this.#clock();
    const expirationMs = this.#producerIdExpirationMs();
    let removed = 0;
    for (const partition of this.hostedPartitions()) removed += partition.log.removeExpiredProducers(now, expirationMs);
    return removed;
  }

  /**
   * Clean shutdown: stops background work, answers parked fetches, then
   * closes every log (flushing it) and writes the checkpoints, so the next
   * start recovers nothing.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    await this.#cleaner?.close();
    this.#alterPartitions.close();
    await this.fetchers.close();
    this.purgatory.completeAll();
    this.replicaFetchPurgatory.completeAll();
    await this.#hosted.close();
    this.#repeated.close();
  }

  #every(name: string, intervalMs: number, task: () => Promise<unknown>): void {
    let running = false;
    const timer = setInterval(() => {
      if (running || this.#closed) return;
      running = true;
      task()
        .catch((error: unknown) => this.#repeated.error(`${name}|${errorClass(error)}`, `${name} failed`, { logDir: this.logDir, error }))
        .finally(() => (running = false));
    }, intervalMs);
    timer.unref();
    this.#timers.push(timer);
  }

  /**
   * Errors that are not a client's or a partition's ordinary state are worth
   * a log line. A PartitionError is a state already known — an offline
   * partition was logged as it went offline — so not once per request.
   */
  #logUnexpected(operation: string, topic: string, partition: number, error: unknown): void {
    if (error instanceof PartitionError) return;
    const code = errorCodeOf(error);
    if (code === ErrorCode.UNKNOWN_SERVER_ERROR || code === ErrorCode.KAFKA_STORAGE_ERROR) {
      const key = partitionKey(topic, partition);
      this.#repeated.error(`${operation}|${key}|${errorClass(error)}`, `${operation} failed`, { partition: key, error });
    }
  }
}

function errorClass(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

function errorResult(errorCode: number): FetchPartitionResult {
  return { errorCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: EMPTY_RECORDS, abortedTransactions: null };
}
