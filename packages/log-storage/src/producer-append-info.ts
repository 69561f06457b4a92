import { ErrorCode } from '@kstream/protocol';
import { ProducerStateError } from './producer-state-errors.js';
import { NO_PRODUCER_EPOCH, NO_SEQUENCE, ProducerStateEntry } from './producer-state-entry.js';
import type { TopicPartition } from './topic-partition.js';
import { topicPartitionName } from './topic-partition.js';
import type { LeaderAppendOrigin } from './transaction-types.js';

const INT32_MAX = 0x7fffffff;

/** Whose batches are checked: a leader's ('client': epochs and sequences; 'coordinator': epochs) or a follower's (none). */
export type ProducerAppendOrigin = LeaderAppendOrigin | 'follower';

/** A transaction some producer started: its first offset. */
export interface TxnMetadata {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
}

/** A transaction a marker ended: its first offset, the marker's offset, commit or abort. */
export interface CompletedTxn {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
  readonly isAborted: boolean;
}

/**
 * One producer's batches in one append (Kafka's ProducerAppendInfo): checks
 * each against the producer's state as it stands before the append — the
 * committed entry, or the entry staged by an earlier append of the same
 * write — then stages the change on a copy (`updated`), which the
 * ProducerStateManager swaps in only once the write commits. Every check
 * runs before anything is staged, so a refused batch leaves the copy as it
 * was. Not thread-safe; owned by the partition's broker loop.
 */
export class ProducerAppendInfo {
  readonly updated: ProducerStateEntry;
  /** Transactions its batches started. */
  readonly startedTxns: TxnMetadata[] = [];

  constructor(
    private readonly tp: TopicPartition,
    readonly producerId: bigint,
    private readonly current: ProducerStateEntry | undefined,
    private readonly origin: ProducerAppendOrigin,
  ) {
    this.updated = current?.copy() ?? new ProducerStateEntry(producerId);
  }

  /** Throws ProducerStateError if the data batch may not follow the producer's state (client and coordinator origins). */
  checkDataBatch(producerEpoch: number, firstSeq: number, isTransactional: boolean): void {
    if (this.origin === 'follower') return;
    this.checkProducerEpoch(producerEpoch);
    if (this.origin === 'client') this.checkSequence(producerEpoch, firstSeq);
    if (!isTransactional && this.updated.currentTxnFirstOffset >= 0n) {
      throw this.error(
        ErrorCode.INVALID_TXN_STATE,
        `non-transactional batch from producer ${this.producerId} (epoch ${producerEpoch}) while its transaction from offset ${this.updated.currentTxnFirstOffset} is open`,
      );
    }
  }

  /** Stages a data batch the checks passed (a follower's: unchecked). */
  appendDataBatch(producerEpoch: number, firstSeq: number, lastSeq: number, timestamp: bigint, firstOffset: bigint, lastOffset: bigint, isTransactional: boolean): void {
    const entry = this.updated;
    entry.addBatch(producerEpoch, { firstSeq, lastSeq, firstOffset, lastOffset, timestamp });
    if (isTransactional && entry.currentTxnFirstOffset < 0n) {
      entry.currentTxnFirstOffset = firstOffset;
      this.startedTxns.push({ producerId: this.producerId, firstOffset });
    }
  }

  /** Throws ProducerStateError if a marker of this epoch from a coordinator of this epoch may not be written (leader origins). */
  checkMarker(producerEpoch: number, coordinatorEpoch: number): void {
    if (this.origin === 'follower') return;
    this.checkProducerEpoch(producerEpoch);
    if (coordinatorEpoch < this.updated.coordinatorEpoch) {
      throw this.error(
        ErrorCode.TRANSACTION_COORDINATOR_FENCED,
        `marker for producer ${this.producerId} from coordinator epoch ${coordinatorEpoch}, older than the last one written (${this.updated.coordinatorEpoch})`,
      );
    }
  }

  /** Stages a marker at `offset`: the open transaction (if none, one of the marker alone, as Kafka's) ends. */
  appendMarker(producerEpoch: number, coordinatorEpoch: number, commit: boolean, offset: bigint, timestamp: bigint): CompletedTxn {
    const entry = this.updated;
    entry.maybeUpdateEpoch(producerEpoch);
    const firstOffset = entry.currentTxnFirstOffset >= 0n ? entry.currentTxnFirstOffset : offset;
    entry.coordinatorEpoch = coordinatorEpoch;
    entry.currentTxnFirstOffset = -1n;
    entry.lastTimestamp = timestamp;
    return { producerId: this.producerId, firstOffset, lastOffset: offset, isAborted: !commit };
  }

  private checkProducerEpoch(producerEpoch: number): void {
    if (producerEpoch < this.updated.producerEpoch) {
      throw this.error(ErrorCode.INVALID_PRODUCER_EPOCH, `producer ${this.producerId} epoch ${producerEpoch} is older than its current epoch ${this.updated.producerEpoch}`);
    }
  }

  /** Kafka 3.x's ProducerAppendInfo.checkSequence. */
  private checkSequence(producerEpoch: number, firstSeq: number): void {
    const updated = this.updated;
    if (producerEpoch !== updated.producerEpoch) {
      if (firstSeq !== 0 && updated.producerEpoch !== NO_PRODUCER_EPOCH) {
        throw this.error(
          ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `producer ${this.producerId} new epoch ${producerEpoch} starts at sequence ${firstSeq}, not 0 (previous epoch ${updated.producerEpoch})`,
        );
      }
      return;
    }
    const lastSeq = updated.isEmpty ? NO_SEQUENCE : updated.lastSeq;
    const knownProducer = (this.current?.producerEpoch ?? NO_PRODUCER_EPOCH) !== NO_PRODUCER_EPOCH;
    if (knownProducer && !inSequence(lastSeq, firstSeq)) {
      throw this.error(
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `producer ${this.producerId} epoch ${producerEpoch}: sequence ${firstSeq} does not follow the last written ${lastSeq}`,
      );
    }
  }

  private error(errorCode: number, detail: string): ProducerStateError {
    return new ProducerStateError(errorCode, `${topicPartitionName(this.tp)}: ${detail}`);
  }
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}
