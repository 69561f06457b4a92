// The small types the group coordinator's parts share: its configs, what the
// broker gives it (the __consumer_offsets partitions it leads), the per-request
// context and the timers it schedules with.

/** The broker configs the coordinator reads, Kafka's names beside each. Read per use: dynamic broker configs change them. */
export interface GroupCoordinatorConfig {
  /** group.initial.rebalance.delay.ms (3000) */
  readonly groupInitialRebalanceDelayMs: number;
  /** group.min.session.timeout.ms (6000) */
  readonly groupMinSessionTimeoutMs: number;
  /** group.max.session.timeout.ms (1800000) */
  readonly groupMaxSessionTimeoutMs: number;
  /** group.max.size (2147483647) */
  readonly groupMaxSize: number;
  /** offsets.retention.minutes (10080) * 60000 */
  readonly offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms (600000) */
  readonly offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes (4096) */
  readonly offsetMetadataMaxBytes: number;
  /** offsets.load.buffer.size (5242880) */
  readonly offsetsLoadBufferSize: number;
}

/** What the broker gives the coordinator: the __consumer_offsets partitions as this broker leads them. */
export interface CoordinatorLog {
  /**
   * Appends `batch` to __consumer_offsets-<partition> as leader at `leaderEpoch`, acks=all,
   * bounded by offsets.commit.timeout.ms; resolves with Kafka's error code (NONE once the high
   * watermark covers it; NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT, ...
   * otherwise). Never rejects.
   */
  append(partition: number, leaderEpoch: number, batch: Buffer): Promise<{ readonly errorCode: number; readonly errorMessage: string | null }>;
  /** The leader's log end offset of the partition (what a load reads up to), or undefined when not led here. */
  logEndOffset(partition: number): bigint | undefined;
  /** The partition's log start offset. */
  logStartOffset(partition: number): bigint | undefined;
  /** Whole batches from `offset` (up to the log end offset), at most `maxBytes` except the first batch. */
  read(partition: number, offset: bigint, maxBytes: number): Promise<Buffer>;
}

/** Per request, from the connection. */
export interface GroupRequestContext {
  readonly apiVersion: number;
  readonly clientId: string;
  readonly clientHost: string;
}

/** setTimeout/clearTimeout by default; tests pass fake timers. */
export interface CoordinatorTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
