// What a partition's log tells of its producers and transactions: the
// public shapes of idempotence (duplicates, producer state) and of
// transactions (markers, aborted transactions, the last stable offset).

/**
 * Who appends as leader: a client's Produce ('client': sequence numbers
 * checked) or a coordinator writing its own topic ('coordinator': epochs
 * checked, sequences not, as Kafka's AppendOrigin.COORDINATOR).
 */
export type LeaderAppendOrigin = 'client' | 'coordinator';

/** A transaction marker to write as leader (WriteTxnMarkers): one control batch. */
export interface TxnMarker {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  /** The coordinator's epoch; a marker from an older coordinator than the last one seen for the producer is refused. */
  readonly coordinatorEpoch: number;
  /** Commit (true) or abort (false). */
  readonly commit: boolean;
}

/** An aborted transaction as Fetch answers it under read_committed: the producer and the transaction's first offset. */
export interface AbortedTransaction {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
}

/** One producer's state on a partition, as DescribeProducers shows it. */
export interface ActiveProducer {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  /** The last sequence number written (-1: none). */
  readonly lastSequence: number;
  /** The max timestamp of its last batch (-1: none). */
  readonly lastTimestamp: bigint;
  /** The epoch of the coordinator whose marker was last written for it (-1: none). */
  readonly coordinatorEpoch: number;
  /** The first offset of its open transaction (-1: none). */
  readonly currentTxnStartOffset: bigint;
}

/**
 * A partition leader's token for a transactional produce it is verifying with
 * the transaction coordinator (Kafka's VerificationGuard, KIP-890): taken
 * before asking, recorded on the producer's state, and cleared by the
 * producer's next transactional batch or marker. An append that begins a
 * transaction with a guard the state no longer holds is refused.
 */
export interface VerificationGuard {
  readonly producerId: bigint;
}
