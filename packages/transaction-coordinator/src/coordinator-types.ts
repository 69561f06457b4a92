// The small types the transaction coordinator shares with the broker that
// wires it: its configs, the __transaction_state partitions it leads, where
// producer ids come from and how markers reach the partitions of a
// transaction.

/** The broker configs the coordinator reads, Kafka's names beside each. Read per use: dynamic broker configs change them. */
export interface TransactionCoordinatorConfig {
  /** transactional.id.expiration.ms (604800000) */
  readonly transactionalIdExpirationMs: number;
  /** transaction.max.timeout.ms (900000) */
  readonly transactionMaxTimeoutMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms (10000) */
  readonly abortTimedOutTransactionsIntervalMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms (3600000) */
  readonly removeExpiredTransactionalIdsIntervalMs: number;
  /** transaction.state.log.load.buffer.size (5242880) */
  readonly loadBufferSize: number;
}

/** What the broker gives the coordinator: the __transaction_state partitions as this broker leads them (the group coordinator's CoordinatorLog shape). */
export interface TransactionLog {
  /**
   * Appends `batch` to __transaction_state-<partition> as leader at `leaderEpoch`, acks=all;
   * resolves with Kafka's error code (NONE once the high watermark covers it). Never rejects.
   */
  append(partition: number, leaderEpoch: number, batch: Buffer): Promise<{ readonly errorCode: number; readonly errorMessage: string | null }>;
  /** The leader's log end offset of the partition (what a load reads up to), or undefined when not led here. */
  logEndOffset(partition: number): bigint | undefined;
  logStartOffset(partition: number): bigint | undefined;
  /** Whole batches from `offset` (up to the log end offset), at most `maxBytes` except the first batch. */
  read(partition: number, offset: bigint, maxBytes: number): Promise<Buffer>;
}

/** Producer ids in blocks from the controller (the broker's ProducerIdManager). */
export interface ProducerIdSource {
  /** A producer id never handed out before on this node; rejects with an error carrying `errorCode` (COORDINATOR_LOAD_IN_PROGRESS) when none is available yet. */
  generate(): Promise<bigint>;
}

export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/** A partition leader asking whether its partitions are in a producer's ongoing transaction (KIP-890, AddPartitionsToTxn v4 verifyOnly). */
export interface VerifyTxnPartitionsRequest {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly partitions: readonly TopicPartitionRef[];
}

/** The markers that end one transaction, for every partition it wrote to (Kafka's WritableTxnMarker). */
export interface TxnMarkerEntry {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  /** The leader epoch of the coordinator's __transaction_state partition: a partition refuses markers of an older coordinator. */
  readonly coordinatorEpoch: number;
  readonly commit: boolean;
  readonly partitions: readonly TopicPartitionRef[];
}

/** One partition's answer to a marker: Kafka's error code (NONE when written and replicated). */
export interface TxnMarkerResult extends TopicPartitionRef {
  readonly errorCode: number;
}

/** How markers reach the partition leaders (the broker routes them: its own partitions, or a peer's over the broker channel). */
export interface TxnMarkerWriter {
  /** Writes the entry's marker to each of its partitions through the partition's leader; resolves with each partition's error code, never rejects. */
  write(entry: TxnMarkerEntry): Promise<TxnMarkerResult[]>;
}

/** setTimeout/clearTimeout by default; tests pass fake timers. */
export interface CoordinatorTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
