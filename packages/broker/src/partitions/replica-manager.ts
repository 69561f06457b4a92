import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@kstream/actor';
import { ErrorCode, ZERO_UUID } from '@kstream/protocol';
import {
  LogDirectory,
  OffsetCheckpointFile,
  OffsetOutOfRangeError,
  partitionDirName,
  type EpochEndOffset,
  type PartitionOffset,
} from '@kstream/log-storage';
import { DelayedFetchPurgatory } from './delayed-fetch.js';
import { FetchSessionCache } from './fetch-session-cache.js';
import type { FetchPartitionParams, FetchPartitionResult } from './fetch-session.js';
import { Partition, partitionKey, type PartitionState } from './partition.js';
import type { PartitionConfig } from './partition-config.js';
import {
  deletePartitionDir,
  partitionDirExists,
  readPartitionTopicId,
  removeDir,
  scanLogDir,
  writePartitionMetadata,
} from './partition-dirs.js';
import { PartitionError, errorCodeOf, errorMessageOf } from './partition-errors.js';
import { fetchOffsetForTimestamp, type OffsetAndTimestamp } from './partition-offsets.js';

/** Kafka's name for the high watermark checkpoint of a log directory. */
export const HIGH_WATERMARK_CHECKPOINT_FILE = 'replication-offset-checkpoint';

export interface ReplicaManagerOptions {
  readonly brokerId: number;
  /** `<data-dir>/broker-<id>`. */
  readonly logDir: string;
  readonly logger: Logger;
  readonly clock?: () => number;
  /** log.retention.check.interval.ms (Kafka's 300000). */
  readonly retentionCheckIntervalMs?: number;
  /** replica.high.watermark.checkpoint.interval.ms (Kafka's 5000). */
  readonly highWatermarkCheckpointIntervalMs?: number;
  /** log.flush.offset.checkpoint.interval.ms (Kafka's 60000): recovery points and log start offsets. */
  readonly recoveryPointCheckpointIntervalMs?: number;
  /** max.incremental.fetch.session.cache.slots (Kafka's 1000). */
  readonly fetchSessionCacheSlots?: number;
  /** min.incremental.fetch.session.eviction.ms (Kafka's 120000). */
  readonly fetchSessionEvictionMs?: number;
}

/** A partition this broker should host, as metadata describes it. */
export interface PartitionAssignment {
  readonly topic: string;
  readonly partition: number;
  readonly state: PartitionState;
  readonly config: PartitionConfig;
}

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

interface OfflinePartition {
  readonly topic: string;
  readonly partition: number;
  readonly name: string;
  readonly error: Error;
}

const EMPTY_RECORDS = Buffer.alloc(0);

/**
 * The partitions this broker hosts and their data path (Kafka's
 * ReplicaManager with its LogManager): it owns the broker's LogDirectory,
 * hosts a Partition for every assignment metadata gives it, deletes the
 * directories of partitions it no longer hosts, runs retention and writes
 * the recovery point, log start offset and high watermark checkpoints. It
 * serves Produce (appendRecords), Fetch (fetchMessages, with long polls
 * parked in the fetch purgatory and KIP-227 sessions in `fetchSessions`),
 * ListOffsets, DeleteRecords, OffsetForLeaderEpoch and DescribeLogDirs.
 * Every failure of one partition is answered as that partition's Kafka
 * error code. Not thread-safe; owned by the broker worker's loop.
 */
export class ReplicaManager {
  readonly brokerId: number;
  readonly fetchSessions: FetchSessionCache;
  readonly purgatory = new DelayedFetchPurgatory();
  readonly #logDirectory: LogDirectory;
  readonly #logger: Logger;
  readonly #partitions = new Map<string, Partition>();
  /** Partitions whose log failed to open: requests get KAFKA_STORAGE_ERROR. */
  readonly #offline = new Map<string, OfflinePartition>();
  /** The topic id of every partition metadata assigns to this broker, hosted or about to be. */
  readonly #assigned = new Map<string, string>();
  /** Hosting changes in flight per partition; data requests wait for them. */
  readonly #pending = new Map<string, Promise<void>>();
  readonly #checkpointedHighWatermarks: Map<string, bigint>;
  readonly #highWatermarkFile: OffsetCheckpointFile;
  readonly #timers: NodeJS.Timeout[] = [];
  /** Checkpoint writes (and log closes, which checkpoint) one at a time: each replaces its file through the same `.tmp`. */
  #checkpoints: Promise<unknown> = Promise.resolve();
  #partitionExists: (topic: string, partition: number) => boolean = () => false;
  #closed = false;

  private constructor(options: ReplicaManagerOptions, logDirectory: LogDirectory, highWatermarks: Map<string, bigint>) {
    this.brokerId = options.brokerId;
    this.#logger = options.logger;
    this.#logDirectory = logDirectory;
    this.#checkpointedHighWatermarks = highWatermarks;
    this.#highWatermarkFile = new OffsetCheckpointFile(logDirectory.io, join(logDirectory.logDir, HIGH_WATERMARK_CHECKPOINT_FILE));
    const clock = options.clock ?? Date.now;
    this.fetchSessions = new FetchSessionCache({
      maxSlots: options.fetchSessionCacheSlots ?? 1000,
      evictionMs: options.fetchSessionEvictionMs ?? 120_000,
      clock,
    });
    this.#every(options.retentionCheckIntervalMs ?? 300_000, () => this.runRetention());
    this.#every(options.highWatermarkCheckpointIntervalMs ?? 5_000, () => this.checkpointHighWatermarks());
    this.#every(options.recoveryPointCheckpointIntervalMs ?? 60_000, () => this.#oneAtATime(() => this.#logDirectory.checkpoint()));
  }

  /** Opens the broker's log directory; partitions are hosted as metadata assigns them. */
  static async open(options: ReplicaManagerOptions): Promise<ReplicaManager> {
    const logDirectory = await LogDirectory.open(options.logDir, { logger: options.logger, clock: options.clock });
    const highWatermarks = await new OffsetCheckpointFile(logDirectory.io, join(options.logDir, HIGH_WATERMARK_CHECKPOINT_FILE)).read();
    return new ReplicaManager(options, logDirectory, highWatermarks);
  }

  get logDir(): string {
    return this.#logDirectory.logDir;
  }

  /**
   * How to tell a partition that exists elsewhere (NOT_LEADER_OR_FOLLOWER)
   * from one that does not exist (UNKNOWN_TOPIC_OR_PARTITION): the metadata
   * cache's answer.
   */
  setPartitionExists(exists: (topic: string, partition: number) => boolean): void {
    this.#partitionExists = exists;
  }

  partition(topic: string, partition: number): Partition | undefined {
    return this.#partitions.get(partitionKey(topic, partition));
  }

  hostedPartitions(): Partition[] {
    return [...this.#partitions.values()];
  }

  // ---- Hosting, driven by metadata ----

  /**
   * Hosts the partition if its replicas include this broker (opening its
   * log), takes its new state and config; stops hosting it — deleting its
   * directory — if they no longer do.
   */
  applyAssignment(assignment: PartitionAssignment): Promise<void> {
    const key = partitionKey(assignment.topic, assignment.partition);
    const hostHere = assignment.state.replicas.includes(this.brokerId);
    if (hostHere) this.#assigned.set(key, assignment.state.topicId);
    else this.#assigned.delete(key);
    return this.#serially(key, async () => {
      if (!hostHere) {
        await this.#stopHosting(key);
        return;
      }
      const hosted = this.#partitions.get(key);
      if (hosted !== undefined && hosted.state.topicId !== assignment.state.topicId) await this.#stopHosting(key);
      const partition = this.#partitions.get(key);
      if (partition === undefined) {
        await this.#host(assignment);
        return;
      }
      const leaderChanged = partition.state.leader !== assignment.state.leader || partition.leaderEpoch !== assignment.state.leaderEpoch;
      partition.updateConfig(assignment.config);
      await partition.applyState(assignment.state);
      if (leaderChanged) this.purgatory.partitionChanged(key);
    });
  }

  /** A topic's configs changed: its open logs take them for their next append, roll and retention pass. */
  updateTopicConfig(topic: string, config: PartitionConfig): void {
    for (const partition of this.#partitions.values()) {
      if (partition.topic === topic) partition.updateConfig(config);
    }
  }

  /** The topic was deleted: its partitions stop being served and their directories are deleted. */
  removeTopic(topicId: string): Promise<void> {
    const keys = [...this.#assigned].filter(([, id]) => id === topicId).map(([key]) => key);
    for (const key of keys) this.#assigned.delete(key);
    return Promise.all(keys.map((key) => this.#serially(key, () => this.#stopHosting(key)))).then(() => {});
  }

  /**
   * Makes the hosted partitions exactly `assignments` (a metadata snapshot):
   * hosts and updates those, stops hosting the rest, and deletes partition
   * directories on disk that no assignment claims — left by topics deleted
   * while this broker was down — and deletions a crash interrupted.
   */
  async reconcile(assignments: readonly PartitionAssignment[]): Promise<void> {
    const wanted = new Set<string>();
    for (const a of assignments) if (a.state.replicas.includes(this.brokerId)) wanted.add(partitionKey(a.topic, a.partition));
    const stale = [...this.#assigned.keys()].filter((key) => !wanted.has(key));
    for (const key of stale) this.#assigned.delete(key);
    const changes = [...stale.map((key) => this.#serially(key, () => this.#stopHosting(key))), ...assignments.map((a) => this.applyAssignment(a))];
    const { partitions: onDisk, unfinishedDeletes } = await scanLogDir(this.#logDirectory.io);
    for (const dir of unfinishedDeletes) await removeDir(this.#logDirectory.io, dir);
    for (const tp of onDisk) {
      const key = partitionKey(tp.topic, tp.partition);
      if (this.#assigned.has(key) || this.#pending.has(key)) continue;
      this.#logger.info('Deleting the directory of a partition no longer assigned to this broker', { partition: key, logDir: this.logDir });
      await deletePartitionDir(this.#logDirectory.io, tp);
    }
    await Promise.all(changes);
  }

  async #host(assignment: PartitionAssignment): Promise<void> {
    const { topic, partition, state, config } = assignment;
    const key = partitionKey(topic, partition);
    const io = this.#logDirectory.io;
    const dir = join(this.logDir, partitionDirName(topic, partition));
    try {
      let fresh = !(await partitionDirExists(io, dir));
      if (!fresh) {
        const onDisk = await readPartitionTopicId(io, dir);
        if (onDisk !== undefined && onDisk !== state.topicId) {
          this.#logger.info('Deleting a partition directory left by an older topic of the same name', { partition: key, topicId: onDisk });
          await deletePartitionDir(io, { topic, partition });
          fresh = true;
        }
      }
      const log = await this.#logDirectory.openLog(topic, partition, config.log);
      // The directory's checkpoints may still name a deleted topic of the same name: a new partition starts at 0.
      if (fresh && (log.logStartOffset !== 0n || log.logEndOffset !== 0n)) await log.truncateFullyAndStartAt(0n);
      if (fresh || (await readPartitionTopicId(io, dir)) === undefined) await writePartitionMetadata(io, dir, state.topicId);
      const checkpointed = fresh ? 0n : (this.#checkpointedHighWatermarks.get(key) ?? 0n);
      const hosted = new Partition(this.brokerId, log, state, config, checkpointed, (p, bytes) => this.purgatory.dataArrived(p.name, bytes));
      await hosted.applyState(state);
      this.#offline.delete(key);
      this.#partitions.set(key, hosted);
    } catch (error) {
      this.#offline.set(key, { topic, partition, name: key, error: error as Error });
      this.#logger.error('Failed to open a partition log: the partition is offline on this broker', { partition: key, error });
    }
  }

  async #stopHosting(key: string): Promise<void> {
    const offline = this.#offline.get(key);
    if (offline !== undefined) {
      this.#offline.delete(key);
      await deletePartitionDir(this.#logDirectory.io, offline);
    }
    const partition = this.#partitions.get(key);
    if (partition === undefined) return;
    this.#partitions.delete(key);
    this.#checkpointedHighWatermarks.delete(key);
    partition.abandonWaiters();
    this.purgatory.partitionChanged(key);
    await this.#oneAtATime(() => this.#logDirectory.closeLog(partition.topic, partition.partition));
    await deletePartitionDir(this.#logDirectory.io, partition.topicPartition);
    this.#logger.info('Deleted partition', { partition: key, logDir: this.logDir });
  }

  #serially(key: string, run: () => Promise<void>): Promise<void> {
    const previous = this.#pending.get(key) ?? Promise.resolve();
    const next = previous.then(run).catch((error: unknown) => {
      this.#logger.error('Failed to change a hosted partition', { partition: key, error });
    });
    this.#pending.set(key, next);
    void next.finally(() => {
      if (this.#pending.get(key) === next) this.#pending.delete(key);
    });
    return next;
  }

  // ---- The data path ----

  /**
   * The partition, led by this broker, for a client's request:
   * UNKNOWN_TOPIC_OR_PARTITION if metadata does not know it,
   * NOT_LEADER_OR_FOLLOWER if another broker serves it, KAFKA_STORAGE_ERROR
   * if its log is offline here, or a leader epoch error.
   */
  async leaderPartition(topic: string, partition: number, currentLeaderEpoch = -1): Promise<Partition> {
    const key = partitionKey(topic, partition);
    const pending = this.#pending.get(key);
    if (pending !== undefined) await pending;
    const hosted = this.#partitions.get(key);
    if (hosted !== undefined) {
      hosted.checkLeader(currentLeaderEpoch);
      return hosted;
    }
    const offline = this.#offline.get(key);
    if (offline !== undefined) {
      throw new PartitionError(ErrorCode.KAFKA_STORAGE_ERROR, `The log of ${key} is offline on broker ${this.brokerId}: ${offline.error.message}`);
    }
    if (this.#partitionExists(topic, partition)) {
      throw new PartitionError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Broker ${this.brokerId} does not host ${key}`);
    }
    throw new PartitionError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unknown topic or partition ${key}`);
  }

  /**
   * Produce for one partition: appends as leader (see Partition.appendRecordsToLeader);
   * with acks=-1, answers once the high watermark covers the append, or
   * REQUEST_TIMED_OUT after `timeoutMs`.
   */
  async appendRecords(topic: string, partition: number, records: Buffer, acks: number, timeoutMs: number): Promise<AppendResult> {
    try {
      const leader = await this.leaderPartition(topic, partition);
      const info = await leader.appendRecordsToLeader(records, acks);
      if (acks === -1 && !(await leader.waitForHighWatermark(info.lastOffset + 1n, timeoutMs))) {
        throw new PartitionError(
          ErrorCode.REQUEST_TIMED_OUT,
          `The ISR of ${leader.name} did not replicate offset ${info.lastOffset} within ${timeoutMs} ms`,
        );
      }
      return { errorCode: ErrorCode.NONE, errorMessage: null, baseOffset: info.firstOffset, logAppendTimeMs: info.logAppendTime, logStartOffset: info.logStartOffset };
    } catch (error) {
      this.#logUnexpected('produce', topic, partition, error);
      return { errorCode: errorCodeOf(error), errorMessage: errorMessageOf(error), baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n };
    }
  }

  /**
   * Fetch: reads every partition (see readPartitions); unless that already
   * gives `minBytes`, an error, or `maxWaitMs` is 0, parks until enough
   * bytes arrive, the wait runs out or a partition changes, then reads again.
   */
  async fetchMessages(params: FetchParams): Promise<FetchPartitionResult[]> {
    if (params.maxWaitMs <= 0) return this.readPartitions(params);
    // Watching starts before the first read, so data appended while it reads still counts.
    const parked = this.purgatory.watch(params.partitions.map((p) => partitionKey(p.topic, p.partition)));
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
      const read = await partition.read(p.fetchOffset, maxBytes, minOneMessage, readCommitted);
      return { errorCode: ErrorCode.NONE, highWatermark, lastStableOffset, logStartOffset, records: read.records };
    } catch (error) {
      this.#logUnexpected('fetch', p.topic, p.partition, error);
      if (error instanceof OffsetOutOfRangeError && partition !== undefined) {
        const { highWatermark, lastStableOffset, logStartOffset } = partition;
        return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark, lastStableOffset, logStartOffset, records: EMPTY_RECORDS };
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
    const fs = await this.#logDirectory.io.attempt('statfs', this.logDir, () => statfs(this.logDir, { bigint: true }));
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
        this.#logger.error('Retention failed', { partition: partition.name, error });
      }
    }
    return deleted;
  }

  /** Writes `replication-offset-checkpoint`: the high watermark of every hosted partition. */
  checkpointHighWatermarks(): Promise<void> {
    return this.#oneAtATime(async () => {
      const entries: PartitionOffset[] = [];
      for (const p of this.#partitions.values()) {
        this.#checkpointedHighWatermarks.set(p.name, p.highWatermark);
        entries.push({ topic: p.topic, partition: p.partition, offset: p.highWatermark });
      }
      await this.#highWatermarkFile.write(entries);
    });
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
    await Promise.all(this.#pending.values());
    this.purgatory.completeAll();
    for (const partition of this.#partitions.values()) partition.abandonWaiters();
    await this.checkpointHighWatermarks();
    await this.#oneAtATime(() => this.#logDirectory.close());
    this.#partitions.clear();
  }

  #oneAtATime<T>(write: () => Promise<T>): Promise<T> {
    const done = this.#checkpoints.then(write);
    this.#checkpoints = done.catch(() => {});
    return done;
  }

  #every(intervalMs: number, task: () => Promise<unknown>): void {
    let running = false;
    const timer = setInterval(() => {
      if (running || this.#closed) return;
      running = true;
      task()
        .catch((error: unknown) => this.#logger.error('Background task failed', { logDir: this.logDir, error }))
        .finally(() => (running = false));
    }, intervalMs);
    timer.unref();
    this.#timers.push(timer);
  }

  /** Errors that are not a client's or a partition's ordinary state are worth a log line. */
  #logUnexpected(operation: string, topic: string, partition: number, error: unknown): void {
    const code = errorCodeOf(error);
    if (code === ErrorCode.UNKNOWN_SERVER_ERROR || code === ErrorCode.KAFKA_STORAGE_ERROR) {
      this.#logger.error(`${operation} failed`, { partition: partitionKey(topic, partition), error });
    }
  }
}

function errorResult(errorCode: number): FetchPartitionResult {
  return { errorCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: EMPTY_RECORDS };
}

