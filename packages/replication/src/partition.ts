import { ATTRIBUTE_TRANSACTIONAL, BATCH_HEADER_SIZE, BATCH_LENGTH_PREFIX, BATCH_OFFSETS, ErrorCode } from '@kstream/protocol';
import type { PartitionState as MetadataPartitionState } from '@kstream/metadata';
import type { LogAppendInfo, LogReadInfo, PartitionLog, TopicPartition } from '@kstream/log-storage';
import type { PartitionConfig } from './partition-config.js';
import { PartitionError } from './partition-errors.js';

/**
 * A hosted partition's replica set and leadership: the metadata's state for
 * it (KRaft's PartitionRecord), carrying its topic's id rather than its index.
 */
export type PartitionState = Omit<MetadataPartitionState, 'partition'> & { readonly topicId: string };

/** Told when offsets become visible to consumers (the high watermark moved): how many bytes of batches. */
export type NewDataListener = (partition: Partition, bytes: number) => void;

interface HighWatermarkWaiter {
  readonly offset: bigint;
  readonly resolve: (reached: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

/** `topic-partition`, the key Kafka (and the log directory) names a partition by. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/**
 * One partition this broker hosts (Kafka's Partition): its log, its replica
 * state from metadata, and the high watermark — the offset below which every
 * ISR member has the data, the bound of what consumers may read. The leader
 * moves it to the lowest log end offset in the ISR. This broker knows only
 * its own log end offset until the replication issue brings follower fetch
 * state, so the high watermark advances while the ISR is this broker alone
 * (replication factor 1) and holds otherwise. Not thread-safe; owned by the
 * broker loop.
 */
export class Partition {
  readonly topicPartition: TopicPartition;
  #state: PartitionState;
  #config: PartitionConfig;
  #highWatermark: bigint;
  /** Appended batches not yet below the high watermark, oldest first. */
  #invisible: { lastOffset: bigint; bytes: number }[] = [];
  readonly #waiters = new Set<HighWatermarkWaiter>();

  constructor(
    readonly localBrokerId: number,
    readonly log: PartitionLog,
    state: PartitionState,
    config: PartitionConfig,
    /** From replication-offset-checkpoint; clamped to the log's range. */
    checkpointedHighWatermark: bigint,
    private readonly onNewData: NewDataListener,
  ) {
    this.topicPartition = log.topicPartition;
    this.#state = state;
    this.#config = config;
    this.#highWatermark = clamp(checkpointedHighWatermark, log.logStartOffset, log.logEndOffset);
  }

  get topic(): string {
    return this.topicPartition.topic;
  }

  get partition(): number {
    return this.topicPartition.partition;
  }

  get name(): string {
    return partitionKey(this.topic, this.partition);
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

  /** read_committed's bound. Without transactions (a later issue) no offset is pending a commit, so it is the high watermark. */
  get lastStableOffset(): bigint {
    return this.#highWatermark;
  }

  get logStartOffset(): bigint {
    return this.log.logStartOffset;
  }

  get logEndOffset(): bigint {
    return this.log.logEndOffset;
  }

  /**
   * Takes a new replica state from metadata. A broker that becomes leader
   * (or sees its leader epoch rise) records that the epoch starts at its log
   * end offset, as Kafka's makeLeader does, so OffsetForLeaderEpoch can answer.
   */
  async applyState(state: PartitionState): Promise<void> {
    const previous = this.#state;
    this.#state = state;
    const newLeaderEpoch = state.leader === this.localBrokerId && (previous.leader !== this.localBrokerId || state.leaderEpoch > previous.leaderEpoch);
    if (newLeaderEpoch || (this.isLeader && this.log.leaderEpochCache.latestEpoch() === undefined)) {
      await this.log.assignEpochStartOffset(state.leaderEpoch, this.log.logEndOffset);
    }
    this.maybeIncrementHighWatermark();
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
      throw new PartitionError(
        ErrorCode.NOT_LEADER_OR_FOLLOWER,
        `Broker ${this.localBrokerId} is not the leader of ${this.name} (leader: ${this.#state.leader})`,
      );
    }
    if (currentLeaderEpoch < 0 || currentLeaderEpoch === this.#state.leaderEpoch) return;
    const older = currentLeaderEpoch < this.#state.leaderEpoch;
    throw new PartitionError(
      older ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH,
      `Leader epoch ${currentLeaderEpoch} of the request for ${this.name} is ${older ? 'older' : 'newer'} than the broker's ${this.#state.leaderEpoch}`,
    );
  }

  /**
   * Appends a client's batches as leader: checks each batch's size against
   * max.message.bytes and segment.bytes, refuses transactional batches (no
   * transaction coordinator yet), refuses acks=-1 when the ISR is smaller
   * than min.insync.replicas, then lets the log validate (CRC, magic,
   * lengths) and assign offsets. The records are never decoded.
   */
  async appendRecordsToLeader(records: Buffer, requiredAcks: number): Promise<LogAppendInfo> {
    this.checkLeader();
    this.checkBatches(records);
    const { isr } = this.#state;
    if (requiredAcks === -1 && isr.length < this.#config.minInsyncReplicas) {
      throw new PartitionError(
        ErrorCode.NOT_ENOUGH_REPLICAS,
        `The ISR of ${this.name} has ${isr.length} replica(s) [${isr.join(', ')}], fewer than min.insync.replicas=${this.#config.minInsyncReplicas}`,
      );
    }
    const info = await this.log.appendAsLeader(records, this.#state.leaderEpoch);
    if (info.validBytes > 0) this.#invisible.push({ lastOffset: info.lastOffset, bytes: info.validBytes });
    this.maybeIncrementHighWatermark();
    return info;
  }

  private checkBatches(records: Buffer): void {
    const { maxMessageBytes, log } = this.#config;
    let position = 0;
    // Only the two header fields needed are read: this runs for every produced batch.
    while (position + BATCH_HEADER_SIZE <= records.length) {
      const size = records.readInt32BE(position + BATCH_OFFSETS.batchLength) + BATCH_LENGTH_PREFIX;
      // A length that cannot be right is left to the log's validation (CORRUPT_MESSAGE).
      if (size < BATCH_HEADER_SIZE) return;
      if (size > maxMessageBytes) {
        throw new PartitionError(ErrorCode.MESSAGE_TOO_LARGE, `Record batch of ${size} bytes for ${this.name} exceeds max.message.bytes=${maxMessageBytes}`);
      }
      if (size > log.segmentBytes) {
        throw new PartitionError(ErrorCode.RECORD_LIST_TOO_LARGE, `Record batch of ${size} bytes for ${this.name} exceeds segment.bytes=${log.segmentBytes}`);
      }
      if ((records.readInt16BE(position + BATCH_OFFSETS.attributes) & ATTRIBUTE_TRANSACTIONAL) !== 0) {
        throw new PartitionError(
          ErrorCode.INVALID_TXN_STATE,
          `Transactional batch (producer id ${records.readBigInt64BE(position + BATCH_OFFSETS.producerId)}) for ${this.name} refused: this broker has no transaction coordinator`,
        );
      }
      position += size;
    }
  }

  /**
   * The leader's high watermark: the lowest log end offset in the ISR. Only
   * the local replica's is known (see the class comment), so it follows the
   * log end offset while the ISR is this broker alone. Wakes what waits on it.
   */
  maybeIncrementHighWatermark(): void {
    if (!this.isLeader) return;
    const { isr } = this.#state;
    if (isr.length !== 1 || isr[0] !== this.localBrokerId) return;
    const target = this.log.logEndOffset;
    if (target <= this.#highWatermark) return;
    this.#highWatermark = target;
    let bytes = 0;
    while (this.#invisible.length > 0 && this.#invisible[0]!.lastOffset < target) bytes += this.#invisible.shift()!.bytes;
    for (const waiter of this.#waiters) {
      if (waiter.offset <= target) this.settle(waiter, true);
    }
    if (bytes > 0) this.onNewData(this, bytes);
  }

  /** Resolves true once the high watermark reaches `offset`, false after `timeoutMs` (acks=-1's wait). */
  waitForHighWatermark(offset: bigint, timeoutMs: number): Promise<boolean> {
    if (this.#highWatermark >= offset) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: HighWatermarkWaiter = { offset, resolve, timer: setTimeout(() => this.settle(waiter, false), Math.max(0, timeoutMs)) };
      this.#waiters.add(waiter);
    });
  }

  private settle(waiter: HighWatermarkWaiter, reached: boolean): void {
    clearTimeout(waiter.timer);
    this.#waiters.delete(waiter);
    waiter.resolve(reached);
  }

  /**
   * A consumer's read: whole batches from `fetchOffset`, below the high
   * watermark (read_committed: the last stable offset). Out of the log's
   * range is the log's OffsetOutOfRangeError.
   */
  async read(fetchOffset: bigint, maxBytes: number, minOneMessage: boolean, readCommitted: boolean): Promise<LogReadInfo> {
    const maxOffset = readCommitted ? this.lastStableOffset : this.#highWatermark;
    return this.log.read(fetchOffset, { maxBytes: Math.max(0, maxBytes), maxOffset, minOneMessage });
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
      throw new PartitionError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `Cannot delete records of ${this.name} before offset ${offset}: the high watermark is ${this.#highWatermark}`,
      );
    }
    await this.log.maybeIncrementLogStartOffset(target);
    return this.log.logStartOffset;
  }

  /** Fails what waits on this partition (it is going away): acks=-1 produces answer as timed out. */
  abandonWaiters(): void {
    for (const waiter of this.#waiters) this.settle(waiter, false);
  }
}

function clamp(value: bigint, low: bigint, high: bigint): bigint {
  return value < low ? low : value > high ? high : value;
}
