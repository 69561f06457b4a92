import type { TopicPartitionRef } from '../coordinator-types.js';
import { TransactionState, transactionStateName, type TransactionLogValue } from '../records/index.js';

// One transactional id's transaction metadata and its state machine (Kafka's
// TransactionMetadata). A change is prepared as a TxnTransit — the whole
// metadata as it will be once the change is in __transaction_state — which
// marks the metadata pending; the transit is written to the log and only
// then applied (completeTransitionTo). While a transition is pending, any
// other request for the id is answered CONCURRENT_TRANSACTIONS.

export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
/** An epoch at Short.MAX_VALUE - 1 is exhausted: the coordinator must always be able to fence with one more bump. */
const EXHAUSTED_EPOCH = 32_766;

export function isEpochExhausted(epoch: number): boolean {
  return epoch >= EXHAUSTED_EPOCH;
}

/** `topic:partition` — topic names cannot hold a colon. */
export function partitionKey({ topic, partition }: TopicPartitionRef): string {
  return `${topic}:${partition}`;
}

/** An Empty transit's: no partitions, no start time. */
const NO_TRANSACTION = { partitions: [], txnStartTimestamp: -1 } as const;

/** The states each state may be entered from (Kafka's validPreviousStates). */
const VALID_PREVIOUS: Record<TransactionState, readonly TransactionState[]> = {
  [TransactionState.Empty]: [TransactionState.Empty, TransactionState.CompleteCommit, TransactionState.CompleteAbort],
  [TransactionState.Ongoing]: [TransactionState.Ongoing, TransactionState.Empty, TransactionState.CompleteCommit, TransactionState.CompleteAbort],
  [TransactionState.PrepareCommit]: [TransactionState.Ongoing],
  [TransactionState.PrepareAbort]: [TransactionState.Ongoing, TransactionState.PrepareEpochFence],
  [TransactionState.CompleteCommit]: [TransactionState.PrepareCommit],
  [TransactionState.CompleteAbort]: [TransactionState.PrepareAbort],
  [TransactionState.Dead]: [TransactionState.Empty, TransactionState.CompleteAbort, TransactionState.CompleteCommit],
  [TransactionState.PrepareEpochFence]: [TransactionState.Ongoing],
};

/** The metadata a transition leads to, as it is written to the log (Kafka's TxnTransitMetadata). */
export interface TxnTransit {
  readonly producerId: bigint;
  readonly lastProducerId: bigint;
  readonly producerEpoch: number;
  readonly lastProducerEpoch: number;
  readonly txnTimeoutMs: number;
  readonly state: TransactionState;
  readonly partitions: readonly TopicPartitionRef[];
  readonly txnStartTimestamp: number;
  readonly txnLastUpdateTimestamp: number;
}

/** A transition that breaks the state machine: a bug, never a client's error. */
export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
}

/** The record value of a transit, as written to __transaction_state. */
export function transitLogValue(transit: TxnTransit): TransactionLogValue {
  return {
    producerId: transit.producerId,
    producerEpoch: transit.producerEpoch,
    transactionTimeoutMs: transit.txnTimeoutMs,
    state: transit.state,
    partitions: transit.partitions,
    lastUpdateTimestampMs: BigInt(transit.txnLastUpdateTimestamp),
    startTimestampMs: BigInt(transit.txnStartTimestamp),
  };
}

/**
 * The metadata of one transactional id, owned by the broker's loop through
 * its __transaction_state partition's shard. `topicPartitions` keeps the
 * partitions of the open transaction; while markers go out, each partition
 * whose marker is written leaves it.
 */
export class TransactionMetadata {
  readonly topicPartitions = new Map<string, TopicPartitionRef>();
  /** The state a write in flight leads to. */
  pendingState: TransactionState | undefined = undefined;
  /** A fence whose write failed: its epoch bump stands in memory (never answered to a client), so the next fence does not bump again. */
  hasFailedEpochFence = false;

  constructor(
    readonly transactionalId: string,
    public producerId: bigint,
    public lastProducerId: bigint,
    public producerEpoch: number,
    public lastProducerEpoch: number,
    public txnTimeoutMs: number,
    public state: TransactionState,
    public txnStartTimestamp: number,
    public txnLastUpdateTimestamp: number,
  ) {}

  /** Metadata as loaded from its last record: the previous producer id and epoch are not in value v0, as in Kafka. */
  static fromLog(transactionalId: string, value: TransactionLogValue): TransactionMetadata {
    const metadata = new TransactionMetadata(
      transactionalId,
      value.producerId,
      NO_PRODUCER_ID,
      value.producerEpoch,
      NO_PRODUCER_EPOCH,
      value.transactionTimeoutMs,
      value.state,
      Number(value.startTimestampMs),
      Number(value.lastUpdateTimestampMs),
    );
    for (const partition of value.partitions) metadata.topicPartitions.set(partitionKey(partition), partition);
    return metadata;
  }

  get pendingTransitionInProgress(): boolean {
    return this.pendingState !== undefined;
  }

  get isProducerEpochExhausted(): boolean {
    return isEpochExhausted(this.producerEpoch);
  }

  hasPartition(partition: TopicPartitionRef): boolean {
    return this.topicPartitions.has(partitionKey(partition));
  }

  /** Kafka's fence: the epoch bumped (unless a failed fence already did), pending PrepareEpochFence; the open transaction is then aborted at that epoch. */
  prepareFenceProducerEpoch(): TxnTransit {
    if (this.producerEpoch === 32_767) {
      throw new IllegalTransitionError(`transactional id ${this.transactionalId}: cannot fence producer ${this.producerId} at epoch 32767`);
    }
    const producerEpoch = this.hasFailedEpochFence ? this.producerEpoch : this.producerEpoch + 1;
    return this.prepareTransitionTo(TransactionState.PrepareEpochFence, { producerEpoch, lastProducerEpoch: NO_PRODUCER_EPOCH });
  }

  /** InitProducerId on the same producer id: the epoch (and last epoch) to hand out; Empty. */
  prepareIncrementProducerEpoch(txnTimeoutMs: number, producerEpoch: number, lastProducerEpoch: number, now: number): TxnTransit {
    return this.prepareTransitionTo(TransactionState.Empty, { producerEpoch, lastProducerEpoch, txnTimeoutMs, ...NO_TRANSACTION, txnLastUpdateTimestamp: now });
  }

  /** InitProducerId with the epoch exhausted: a new producer id at epoch 0; Empty. */
  prepareProducerIdRotation(producerId: bigint, txnTimeoutMs: number, now: number, recordLastEpoch: boolean): TxnTransit {
    const lastProducerEpoch = recordLastEpoch ? this.producerEpoch : NO_PRODUCER_EPOCH;
    return this.prepareTransitionTo(TransactionState.Empty, { producerId, producerEpoch: 0, lastProducerEpoch, txnTimeoutMs, ...NO_TRANSACTION, txnLastUpdateTimestamp: now });
  }

  /** AddPartitionsToTxn / AddOffsetsToTxn: Ongoing with the partitions added; the start time set when a transaction begins. */
  prepareAddPartitions(added: readonly TopicPartitionRef[], now: number): TxnTransit {
    const begins = this.state === TransactionState.Empty || this.state === TransactionState.CompleteCommit || this.state === TransactionState.CompleteAbort;
    const partitions = new Map(this.topicPartitions);
    for (const partition of added) partitions.set(partitionKey(partition), partition);
    return this.prepareTransitionTo(TransactionState.Ongoing, {
      partitions: [...partitions.values()],
      txnStartTimestamp: begins ? now : this.txnStartTimestamp,
      txnLastUpdateTimestamp: now,
    });
  }

  prepareAbortOrCommit(state: typeof TransactionState.PrepareCommit | typeof TransactionState.PrepareAbort, now: number): TxnTransit {
    return this.prepareTransitionTo(state, { txnLastUpdateTimestamp: now });
  }

  /** After every marker is written: CompleteCommit or CompleteAbort, no partitions. */
  prepareComplete(now: number): TxnTransit {
    const state = this.state === TransactionState.PrepareCommit ? TransactionState.CompleteCommit : TransactionState.CompleteAbort;
    this.hasFailedEpochFence = false;
    return this.prepareTransitionTo(state, { partitions: [], txnLastUpdateTimestamp: now });
  }

  /** Expiry: the id is about to be removed (a tombstone, never a Dead record). */
  prepareDead(): TxnTransit {
    return this.prepareTransitionTo(TransactionState.Dead, { partitions: [] });
  }

  /** A marker of the transaction is written: the partition needs no more. */
  removePartition(partition: TopicPartitionRef): void {
    if (this.state !== TransactionState.PrepareCommit && this.state !== TransactionState.PrepareAbort) {
      throw new IllegalTransitionError(`transactional id ${this.transactionalId}: removing ${partition.topic}-${partition.partition} in state ${transactionStateName(this.state)}`);
    }
    this.topicPartitions.delete(partitionKey(partition));
  }

  /** Applies a transit whose record is in the log (Kafka's completeTransitionTo, with its checks). */
  completeTransitionTo(transit: TxnTransit): void {
    if (this.pendingState !== transit.state) this.illegal(transit, `pending state is ${this.pendingState === undefined ? 'none' : transactionStateName(this.pendingState)}`);
    const sameProducer = transit.producerEpoch === this.producerEpoch && transit.producerId === this.producerId;
    switch (transit.state) {
      case TransactionState.Empty: {
        const bump = transit.producerEpoch === this.producerEpoch + 1 || (transit.producerEpoch === 0 && transit.producerId !== this.producerId);
        if ((!sameProducer && !bump) || transit.partitions.length > 0 || transit.txnStartTimestamp !== -1) this.illegal(transit, 'not an epoch bump');
        this.txnTimeoutMs = transit.txnTimeoutMs;
        this.producerEpoch = transit.producerEpoch;
        this.lastProducerEpoch = transit.lastProducerEpoch;
        this.producerId = transit.producerId;
        this.lastProducerId = transit.lastProducerId;
        break;
      }
      case TransactionState.Ongoing:
        if (!sameProducer || [...this.topicPartitions.keys()].some((key) => !transit.partitions.some((p) => partitionKey(p) === key))) {
          this.illegal(transit, 'another producer or fewer partitions');
        }
        this.txnStartTimestamp = transit.txnStartTimestamp;
        for (const partition of transit.partitions) this.topicPartitions.set(partitionKey(partition), partition);
        break;
      case TransactionState.PrepareCommit:
      case TransactionState.PrepareAbort:
        if (!sameProducer || transit.partitions.length !== this.topicPartitions.size || transit.txnStartTimestamp !== this.txnStartTimestamp) {
          this.illegal(transit, 'another producer or other partitions');
        }
        break;
      case TransactionState.CompleteCommit:
      case TransactionState.CompleteAbort:
        if (!sameProducer || transit.txnStartTimestamp === -1) this.illegal(transit, 'another producer or no transaction');
        this.txnStartTimestamp = transit.txnStartTimestamp;
        this.topicPartitions.clear();
        break;
      default:
        this.illegal(transit, 'a state that is never completed');
    }
    this.txnLastUpdateTimestamp = transit.txnLastUpdateTimestamp;
    this.pendingState = undefined;
    this.state = transit.state;
  }

  partitionList(): TopicPartitionRef[] {
    return [...this.topicPartitions.values()];
  }

  /** Marks `state` pending and returns the transit to it: the current metadata with `changes`. */
  private prepareTransitionTo(state: TransactionState, changes: Partial<Omit<TxnTransit, 'state' | 'lastProducerId'>>): TxnTransit {
    const target = transactionStateName(state);
    if (this.pendingState !== undefined) {
      throw new IllegalTransitionError(`transactional id ${this.transactionalId}: preparing ${target} while ${transactionStateName(this.pendingState)} is pending`);
    }
    const transit: TxnTransit = {
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      lastProducerEpoch: this.lastProducerEpoch,
      txnTimeoutMs: this.txnTimeoutMs,
      partitions: this.partitionList(),
      txnStartTimestamp: this.txnStartTimestamp,
      txnLastUpdateTimestamp: this.txnLastUpdateTimestamp,
      ...changes,
      state,
      lastProducerId: this.producerId,
    };
    if (transit.producerId < 0n) throw new IllegalTransitionError(`transactional id ${this.transactionalId}: producer id ${transit.producerId}`);
    if (state !== TransactionState.Dead && transit.producerEpoch < 0) {
      throw new IllegalTransitionError(`transactional id ${this.transactionalId}: producer epoch ${transit.producerEpoch}`);
    }
    if (!VALID_PREVIOUS[state].includes(this.state)) {
      throw new IllegalTransitionError(`transactional id ${this.transactionalId}: ${target} cannot follow ${transactionStateName(this.state)}`);
    }
    this.pendingState = state;
    return transit;
  }

  private illegal(transit: TxnTransit, why: string): never {
    throw new IllegalTransitionError(
      `transactional id ${this.transactionalId}: completing ${transactionStateName(transit.state)} (producer ${transit.producerId} epoch ${transit.producerEpoch}) ` +
        `from ${transactionStateName(this.state)} (producer ${this.producerId} epoch ${this.producerEpoch}): ${why}`,
    );
  }
}
