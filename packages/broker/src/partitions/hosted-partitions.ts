import { join } from 'node:path';
import type { Logger } from '@kstream/actor';
import { ErrorCode } from '@kstream/protocol';
import {
  HIGH_WATERMARK_CHECKPOINT_FILE,
  LogDirectory,
  OffsetCheckpointFile,
  PARTITION_METADATA_FILE,
  partitionDirName,
  readPartitionTopicId,
  type FileSystem,
  type LogDirIo,
  type PartitionOffset,
} from '@kstream/log-storage';
import { DEFAULT_OFFLINE_RETRY_BACKOFF, OfflinePartitions, type OfflineRetryBackoff } from './offline-partitions.js';
import { Partition, PartitionError, partitionKey, type PartitionConfig, type PartitionState, type ReplicationContext } from '@kstream/replication';
import { HOSTING_CHANGES_AT_ONCE, HostingSlots } from './hosting-slots.js';
import { partitionsOnDisk } from './partition-dirs.js';

/** Where followed partitions are fetched (replication's ReplicaFetcherManager). */
export interface PartitionFetchers {
  follow(partition: Partition): void;
  unfollow(key: string): void;
}

/**
 * This broker's part in a partition after a change: leading it in
 * `leaderEpoch` (ready for appends in that epoch), following it, or no
 * longer hosting it.
 */
export type HostedRole = { readonly kind: 'leader' | 'follower'; readonly leaderEpoch: number } | { readonly kind: 'none' };

/** Told of each change of this broker's role in a partition; called in the change's turn, before requests waiting on it resume. */
export type RoleListener = (topic: string, partition: number, role: HostedRole) => void;

/** A partition this broker should host, as metadata describes it. */
export interface PartitionAssignment {
  readonly topic: string;
  readonly partition: number;
  readonly state: PartitionState;
  readonly config: PartitionConfig;
}

export interface HostedPartitionsOptions {
  readonly brokerId: number;
  /** `<data-dir>/broker-<id>`. */
  readonly logDir: string;
  readonly logger: Logger;
  readonly clock?: () => number;
  /** How often a partition whose log failed to open is tried again (DEFAULT_OFFLINE_RETRY_BACKOFF). */
  readonly offlineRetryBackoff?: OfflineRetryBackoff;
  /** The system calls of the log directory; tests inject faults. */
  readonly fileSystem?: FileSystem;
  /** How many files the log directory may hold open at once (log.open.files.max, resolved); unbounded if absent. */
  readonly openFiles?: number;
  /** What every hosted Partition shares: its clock, lag bound, AlterPartition sender and the listeners its offsets wake. */
  readonly replication: ReplicationContext;
  /** The replica fetchers: a partition this broker follows is fetched from its leader, one it leads or stops hosting is not. */
  readonly fetchers: PartitionFetchers;
  /** A partition stopped being served here, or its leadership changed: what waits on it should answer now. */
  readonly onPartitionChanged: (key: string) => void;
  /** This broker started or stopped leading a partition, moved to a new leader epoch, or stopped hosting it. */
  readonly onRoleChanged?: RoleListener;
}

/**
 * The partitions of this broker's log directory (Kafka's LogManager with
 * ReplicaManager's partition map): it hosts a Partition for every assignment
 * metadata gives this broker, opening its log; deletes the directories of
 * partitions it stops hosting (and, on a snapshot, of any partition no
 * assignment claims); and writes the directory's checkpoints — recovery
 * points and log start offsets (LogDirectory's) and high watermarks
 * (`replication-offset-checkpoint`). A partition whose log fails to open
 * is offline (KAFKA_STORAGE_ERROR) and tried again until it opens
 * (OfflinePartitions). Changes to one partition run one at a time; a lookup
 * waits for the change in flight. Not thread-safe; owned by
 * the broker worker's loop.
 */
export class HostedPartitions {
  readonly brokerId: number;
  readonly #logDirectory: LogDirectory;
  readonly #logger: Logger;
  readonly #replication: ReplicationContext;
  readonly #fetchers: PartitionFetchers;
  readonly #onPartitionChanged: (key: string) => void;
  readonly #onRoleChanged: RoleListener;
  readonly #partitions = new Map<string, Partition>();
  /** The hosted partitions of each topic, so a change to one topic's configs visits its partitions and no others. */
  readonly #byTopic = new Map<string, Set<Partition>>();
  /** Partitions whose log failed to open: requests get KAFKA_STORAGE_ERROR. */
  readonly #offline: OfflinePartitions;
  /** The topic id of every partition metadata assigns to this broker, hosted or about to be. */
  readonly #assigned = new Map<string, string>();
  /** Hosting changes in flight per partition; lookups wait for them. */
  readonly #pending = new Map<string, Promise<void>>();
  /** How many of a metadata delta's run at once (a snapshot's all run at once: see reconcile). */
  readonly #slots = new HostingSlots(HOSTING_CHANGES_AT_ONCE);
  readonly #checkpointedHighWatermarks: Map<string, bigint>;
  readonly #highWatermarkFile: OffsetCheckpointFile;
  #partitionExists: (topic: string, partition: number) => boolean = () => false;
  #closed = false;

  private constructor(options: HostedPartitionsOptions, logDirectory: LogDirectory, highWatermarks: Map<string, bigint>) {
    this.brokerId = options.brokerId;
    this.#logger = options.logger;
    this.#replication = options.replication;
    this.#fetchers = options.fetchers;
    this.#onPartitionChanged = options.onPartitionChanged;
    this.#onRoleChanged = options.onRoleChanged ?? (() => {});
    this.#logDirectory = logDirectory;
    this.#checkpointedHighWatermarks = highWatermarks;
    this.#highWatermarkFile = new OffsetCheckpointFile(logDirectory.io, join(logDirectory.logDir, HIGH_WATERMARK_CHECKPOINT_FILE));
    this.#offline = new OfflinePartitions({
      logger: options.logger,
      backoff: options.offlineRetryBackoff ?? DEFAULT_OFFLINE_RETRY_BACKOFF,
      clock: options.clock ?? Date.now,
      retry: (assignment) => void this.#retryHosting(assignment),
    });
  }

  static async open(options: HostedPartitionsOptions): Promise<HostedPartitions> {
    const logDirectory = await LogDirectory.open(options.logDir, {
      logger: options.logger,
      clock: options.clock,
      fileSystem: options.fileSystem,
      openFiles: options.openFiles,
    });
    const highWatermarks = await new OffsetCheckpointFile(logDirectory.io, join(options.logDir, HIGH_WATERMARK_CHECKPOINT_FILE)).read();
    return new HostedPartitions(options, logDirectory, highWatermarks);
  }

  get logDir(): string {
    return this.#logDirectory.logDir;
  }

  get io(): LogDirIo {
    return this.#logDirectory.io;
  }

  /**
   * How to tell a partition that exists elsewhere (NOT_LEADER_OR_FOLLOWER)
   * from one that does not exist (UNKNOWN_TOPIC_OR_PARTITION): the metadata
   * cache's answer.
   */
  setPartitionExists(exists: (topic: string, partition: number) => boolean): void {
    this.#partitionExists = exists;
  }

  get(topic: string, partition: number): Partition | undefined {
    return this.#partitions.get(partitionKey(topic, partition));
  }

  all(): Partition[] {
    return [...this.#partitions.values()];
  }

  /**
   * Hosts the partition if its replicas include this broker (opening its
   * log), takes its new state and config; stops hosting it — deleting its
   * directory — if they no longer do. A metadata delta's change: it runs in
   * the broker's hosting slots (HostingSlots).
   */
  applyAssignment(assignment: PartitionAssignment): Promise<void> {
    return this.#applyAssignment(assignment, this.#slots);
  }

  /** applyAssignment, its change run in `slots` if given. */
  #applyAssignment(assignment: PartitionAssignment, slots: HostingSlots | undefined): Promise<void> {
    const key = partitionKey(assignment.topic, assignment.partition);
    const hostHere = assignment.state.replicas.includes(this.brokerId);
    if (hostHere) this.#assigned.set(key, assignment.state.topicId);
    else this.#assigned.delete(key);
    return this.#serially(key, slots, async () => {
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
      await this.#applyState(partition, assignment.state);
      if (leaderChanged) {
        this.#onPartitionChanged(key);
        this.#roleChanged(partition.topic, partition.partition, roleOf(partition));
      }
    });
  }

  /** A topic's configs changed: its open logs take them for their next append, roll and retention pass. */
  updateTopicConfig(topic: string, config: PartitionConfig): void {
    for (const partition of this.#byTopic.get(topic) ?? []) partition.updateConfig(config);
  }

  /** The topic was deleted: its partitions stop being served and their directories are deleted. */
  removeTopic(topicId: string): Promise<void> {
    const keys = [...this.#assigned].filter(([, id]) => id === topicId).map(([key]) => key);
    for (const key of keys) this.#assigned.delete(key);
    return Promise.all(keys.map((key) => this.#serially(key, this.#slots, () => this.#stopHosting(key)))).then(() => {});
  }

  /**
   * Makes the hosted partitions exactly `assignments` (a metadata snapshot):
   * hosts and updates those, stops hosting the rest, and deletes partition
   * directories on disk that no assignment claims — left by topics deleted
   * while this broker was down. (Deletions a crash interrupted are finished
   * by LogDirectory.open.) Its changes all run at once, unlike a delta's
   * (HostingSlots): a broker starting on 10,000 partitions opened them in
   * step, and every one was ready about when the last was; in slots, the
   * last in line ready 1.4 s after the broker's ready (restart to the first
   * acks=all produce 4.1 s, against 2.9 s).
   */
  async reconcile(assignments: readonly PartitionAssignment[]): Promise<void> {
    const wanted = new Set<string>();
    for (const a of assignments) if (a.state.replicas.includes(this.brokerId)) wanted.add(partitionKey(a.topic, a.partition));
    const stale = [...this.#assigned.keys()].filter((key) => !wanted.has(key));
    for (const key of stale) this.#assigned.delete(key);
    const changes = [...stale.map((key) => this.#serially(key, undefined, () => this.#stopHosting(key))), ...assignments.map((a) => this.#applyAssignment(a, undefined))];
    for (const tp of await partitionsOnDisk(this.#logDirectory.io)) {
      const key = partitionKey(tp.topic, tp.partition);
      if (this.#assigned.has(key) || this.#pending.has(key)) continue;
      this.#logger.info('Deleting the directory of a partition no longer assigned to this broker', { partition: key, logDir: this.logDir });
      // Queued like a hosting change, so an assignment arriving meanwhile hosts the partition after the deletion.
      await this.#serially(key, undefined, () => this.#logDirectory.deleteLog(tp.topic, tp.partition));
    }
    await Promise.all(changes);
  }

  async #host(assignment: PartitionAssignment): Promise<void> {
    const { topic, partition, state, config } = assignment;
    const key = partitionKey(topic, partition);
    const io = this.#logDirectory.io;
    const dir = join(this.logDir, partitionDirName(topic, partition));
    try {
      // One listing serves the topic id check and the log's opening: a partition new here has none to make.
      let listed = await this.#logDirectory.listPartition(topic, partition);
      const onDisk = listed?.includes(PARTITION_METADATA_FILE) ? await readPartitionTopicId(io, dir) : undefined;
      if (onDisk !== undefined && onDisk !== state.topicId) {
        this.#logger.info('Deleting a partition directory left by an older topic of the same name', { partition: key, topicId: onDisk });
        this.#checkpointedHighWatermarks.delete(key);
        await this.#logDirectory.deleteLog(topic, partition);
        listed = undefined;
      }
      // partition.metadata is written with the log's first flush of batches, as Kafka does.
      const log = await this.#logDirectory.openLog(topic, partition, config.log, onDisk === state.topicId ? undefined : state.topicId, listed);
      const checkpointed = this.#checkpointedHighWatermarks.get(key) ?? 0n;
      const hosted = new Partition(this.#replication, log, state, config, checkpointed);
      await this.#applyState(hosted, state);
      this.#partitions.set(hosted.name, hosted);
      let ofTopic = this.#byTopic.get(topic);
      if (ofTopic === undefined) this.#byTopic.set(topic, (ofTopic = new Set()));
      ofTopic.add(hosted);
      this.#offline.online(key, this.logDir);
      this.#roleChanged(topic, partition, roleOf(hosted));
    } catch (error) {
      this.#offline.failed(assignment, this.logDir, error as Error);
    }
  }

  /**
   * Kafka's makeLeader / makeFollower: a partition this broker is to lead
   * stops being fetched before it takes the state (no follower append may
   * land after its leader epoch starts); one it follows is fetched from its
   * leader in the new epoch after (truncating first when the leader or epoch
   * changed; metadata's word also ends a fetch backoff).
   */
  async #applyState(partition: Partition, state: PartitionState): Promise<void> {
    if (state.leader === this.brokerId) this.#fetchers.unfollow(partition.name);
    await partition.applyState(state);
    if (state.leader !== this.brokerId) this.#fetchers.follow(partition);
  }

  /** A retry of an offline partition, unless it was stopped or hosted meanwhile. */
  #retryHosting(assignment: PartitionAssignment): Promise<void> {
    const key = partitionKey(assignment.topic, assignment.partition);
    return this.#serially(key, this.#slots, async () => {
      if (this.#offline.get(key)?.assignment !== assignment || this.#partitions.has(key)) return;
      await this.#host(assignment);
    });
  }

  async #stopHosting(key: string): Promise<void> {
    const offline = this.#offline.remove(key);
    if (offline !== undefined) await this.#logDirectory.deleteLog(offline.topic, offline.partition);
    const partition = this.#partitions.get(key);
    if (partition === undefined) return;
    this.#partitions.delete(key);
    const ofTopic = this.#byTopic.get(partition.topic);
    ofTopic?.delete(partition);
    if (ofTopic?.size === 0) this.#byTopic.delete(partition.topic);
    this.#checkpointedHighWatermarks.delete(key);
    this.#fetchers.unfollow(key);
    partition.abandonWaiters();
    this.#onPartitionChanged(key);
    this.#roleChanged(partition.topic, partition.partition, { kind: 'none' });
    await this.#logDirectory.deleteLog(partition.topic, partition.partition);
    this.#logger.info('Deleted partition', { partition: key, logDir: this.logDir });
  }

  /** A listener's failure is its own: logged, and the hosting change goes on. */
  #roleChanged(topic: string, partition: number, role: HostedRole): void {
    try {
      this.#onRoleChanged(topic, partition, role);
    } catch (error) {
      this.#logger.error('A listener of partition leadership failed', { partition: partitionKey(topic, partition), role: role.kind, error });
    }
  }

  /** Resolves once every change to the hosted partitions asked for so far has finished (a failure is logged, and the partition offline). */
  async settled(): Promise<void> {
    await Promise.all(this.#pending.values());
  }

  /** Runs `run` after the partition's changes before it, in `slots` if given; none once closed (checked when its turn and its slot come). */
  #serially(key: string, slots: HostingSlots | undefined, run: () => Promise<void>): Promise<void> {
    const previous = this.#pending.get(key) ?? Promise.resolve();
    const change = (): Promise<void> => (this.#closed ? Promise.resolve() : run());
    const next = previous
      .then(() => (slots === undefined ? change() : slots.run(change)))
      .catch((error: unknown) => {
        this.#logger.error('Failed to change a hosted partition', { partition: key, error });
      });
    this.#pending.set(key, next);
    void next.finally(() => {
      if (this.#pending.get(key) === next) this.#pending.delete(key);
    });
    return next;
  }

  /**
   * The partition, led by this broker, for a client's request:
   * UNKNOWN_TOPIC_OR_PARTITION if metadata does not know it,
   * NOT_LEADER_OR_FOLLOWER if another broker serves it, KAFKA_STORAGE_ERROR
   * if its log is offline here, or a leader epoch error.
   */
  async leader(topic: string, partition: number, currentLeaderEpoch = -1): Promise<Partition> {
    const key = partitionKey(topic, partition);
    const pending = this.#pending.get(key);
    if (pending !== undefined) await pending;
    return this.#leader(key, topic, partition, currentLeaderEpoch);
  }

  /** leader's answer in the same turn, by the partition's key; undefined while a change to the partition is in flight. */
  leaderNow(key: string, topic: string, partition: number, currentLeaderEpoch = -1): Partition | undefined {
    return this.#pending.has(key) ? undefined : this.#leader(key, topic, partition, currentLeaderEpoch);
  }

  #leader(key: string, topic: string, partition: number, currentLeaderEpoch: number): Partition {
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

  /** Writes `replication-offset-checkpoint`: the high watermark of every hosted partition. */
  checkpointHighWatermarks(): Promise<void> {
    const entries: PartitionOffset[] = [];
    for (const p of this.#partitions.values()) {
      this.#checkpointedHighWatermarks.set(p.name, p.highWatermark);
      entries.push({ topic: p.topic, partition: p.partition, offset: p.highWatermark });
    }
    return this.#highWatermarkFile.write(entries);
  }

  /** Writes the recovery points and log start offsets of the open logs. */
  checkpointRecoveryPoints(): Promise<void> {
    return this.#logDirectory.checkpoint();
  }

  /**
   * Waits for the changes in flight, then closes every log (flushing it) and
   * writes the checkpoints, so the next start recovers nothing. Assignments
   * arriving later are ignored. A storage error (a full disk) does not stop
   * the rest — the logs are closed even if the high watermarks cannot be
   * written — and is thrown at the end: the shutdown was not clean, and the
   * next start recovers what was not flushed.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#offline.close();
    await Promise.all(this.#pending.values());
    for (const partition of this.#partitions.values()) partition.abandonWaiters();
    let failure: unknown;
    await this.checkpointHighWatermarks().catch((error: unknown) => (failure = error));
    await this.#logDirectory.close().catch((error: unknown) => (failure ??= error));
    this.#partitions.clear();
    this.#byTopic.clear();
    if (failure !== undefined) throw failure;
  }
}

function roleOf(partition: Partition): HostedRole {
  return { kind: partition.isLeader ? 'leader' : 'follower', leaderEpoch: partition.leaderEpoch };
}
