/** A producer with no epoch yet (Kafka's RecordBatch.NO_PRODUCER_EPOCH). */
export const NO_PRODUCER_EPOCH = -1;
/** No sequence number (Kafka's RecordBatch.NO_SEQUENCE). */
export const NO_SEQUENCE = -1;
/** How many of a producer's last batches are kept for duplicate detection (Kafka's NUM_BATCHES_TO_RETAIN, = max.in.flight.requests). */
export const NUM_BATCHES_TO_RETAIN = 5;

/** One batch a producer wrote: what a retry of it is recognised by and answered with. */
export interface BatchMetadata {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
  /** The batch's max timestamp (LogAppendTime when the log stamps it). */
  readonly timestamp: bigint;
}

/**
 * One producer's state on a partition (Kafka's ProducerStateEntry): its
 * epoch, its last NUM_BATCHES_TO_RETAIN batches of that epoch, the epoch of
 * the coordinator whose marker was last written for it, the first offset of
 * its open transaction (-1: none) and the timestamp of its last write
 * (expiry counts from it). Mutable only through copies staged by a
 * ProducerAppendInfo and swapped in by the ProducerStateManager. Not
 * thread-safe; owned by the partition's broker loop.
 */
export class ProducerStateEntry {
  constructor(
    readonly producerId: bigint,
    public producerEpoch: number = NO_PRODUCER_EPOCH,
    public coordinatorEpoch = -1,
    public lastTimestamp = -1n,
    public currentTxnFirstOffset = -1n,
    readonly batches: BatchMetadata[] = [],
  ) {}

  copy(): ProducerStateEntry {
    return new ProducerStateEntry(this.producerId, this.producerEpoch, this.coordinatorEpoch, this.lastTimestamp, this.currentTxnFirstOffset, [...this.batches]);
  }

  /** No batch of the current epoch recorded. */
  get isEmpty(): boolean {
    return this.batches.length === 0;
  }

  get lastSeq(): number {
    return this.batches[this.batches.length - 1]?.lastSeq ?? NO_SEQUENCE;
  }

  /** Records a data batch; a new epoch forgets the batches of the old one. */
  addBatch(producerEpoch: number, batch: BatchMetadata): void {
    this.maybeUpdateEpoch(producerEpoch);
    this.batches.push(batch);
    if (this.batches.length > NUM_BATCHES_TO_RETAIN) this.batches.shift();
    this.lastTimestamp = batch.timestamp;
  }

  maybeUpdateEpoch(producerEpoch: number): void {
    if (producerEpoch === this.producerEpoch) return;
    this.batches.length = 0;
    this.producerEpoch = producerEpoch;
  }

  /** The retained batch a retry (same epoch, same first and last sequence) repeats, if any. */
  findDuplicate(producerEpoch: number, firstSeq: number, lastSeq: number): BatchMetadata | undefined {
    if (producerEpoch !== this.producerEpoch) return undefined;
    return this.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
  }
}
