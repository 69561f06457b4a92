// A fault run's end state, gathered after the nemesis healed everything and
// the cluster settled: each partition's log as its leader serves it, and
// each broker's replica of it as it lies on disk after a clean stop.

/** One record of a log: the offset it is at and its value (the values of a run are unique strings). */
export interface LogRecord {
  readonly offset: bigint;
  readonly value: string;
}

/** A record batch as a replica stores it: its offsets, its records, and its bytes exactly as on disk. */
export interface StoredBatch {
  readonly baseOffset: bigint;
  readonly lastOffset: bigint;
  readonly records: readonly LogRecord[];
  readonly bytes: Buffer;
}

export interface ReplicaLog {
  readonly broker: number;
  /** In the partition's ISR when the final log was read from the leader. */
  readonly inSync: boolean;
  /** The replica's own high watermark, from its `replication-offset-checkpoint`. */
  readonly highWatermark: bigint;
  readonly batches: readonly StoredBatch[];
}

export interface FinalPartition {
  /** Read whole from the leader, below its high watermark. */
  readonly log: readonly LogRecord[];
  /** The leader's high watermark when the log was read: every in-sync replica must hold the same bytes below it. */
  readonly highWatermark: bigint;
  readonly leader: number;
  readonly replicas: readonly ReplicaLog[];
}

export interface FinalState {
  readonly partitions: ReadonlyMap<number, FinalPartition>;
}
