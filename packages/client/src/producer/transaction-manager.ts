import { AddOffsetsToTxn, EndTxn, InitProducerId } from '@kstream/protocol';
import type { ClusterClient } from '../cluster/index.js';
import { backoffDelay, KafkaClientError, KafkaConnectionError, KafkaTimeoutError, KafkaUnsupportedVersionError } from '../errors/index.js';
import { coordinatorMoved } from '../consumer/group/coordinator-call.js';
import type { ProducerIdempotence } from './producer-idempotence.js';
import type { ResolvedProducerOptions } from './producer-options.js';
import type { PartitionQueue } from './record-accumulator.js';
import { callTransactionCoordinator } from './transaction-coordinator-call.js';
import { isFatalTransactionError, KafkaTransactionAbortedError, KafkaTransactionStateError, transactionalError } from './transaction-errors.js';
import { txnOffsetCommit, type TransactionGroupMetadata, type TransactionOffset } from './transaction-offsets.js';
import { addPartitionsToTxn } from './transaction-partitions.js';

/** Kafka's TransactionManager states, as a transactional producer goes through them. */
type TransactionState = 'uninitialized' | 'ready' | 'in_transaction' | 'committing' | 'aborting' | 'abortable_error' | 'fatal_error';

/** What the manager needs from its producer. */
export interface TransactionHost {
  readonly queues: readonly PartitionQueue[];
  /** Sends everything queued now and resolves when every send made so far is answered. */
  flush(): Promise<void>;
  /** Resolves when no batch is queued or in flight (the sender drops unsent ones while aborting). */
  settled(): Promise<void>;
  /** Asks the sender to run: partitions were added, or unsent batches must be dropped. */
  wakeup(): void;
}

/** Java's ADD_PARTITIONS_RETRY_BACKOFF_MS: the first AddPartitionsToTxn of a transaction usually meets the previous one's markers being written. */
const CONCURRENT_TRANSACTIONS_BACKOFF_MS = 20;

/**
 * Kafka's TransactionManager, transactional part: initTransactions
 * (InitProducerId for the transactional id, at its coordinator), the
 * partitions and offsets of the open transaction (AddPartitionsToTxn before a
 * partition's first batch is sent, AddOffsetsToTxn + TxnOffsetCommit), and
 * its end (EndTxn once every send is answered). A failed send makes the
 * transaction abortable; fencing and authorization failures are fatal. The
 * sender asks it which partitions may be drained and whether unsent batches
 * must be dropped. Owned by one producer; its calls run on the event loop.
 */
export class TransactionManager {
  #state: TransactionState = 'uninitialized';
  #lastError: unknown;
  /** Transactions begun so far: a Transaction and the sends made through it belong to one. */
  #generation = 0;
  readonly #added = new Set<PartitionQueue>();
  readonly #pending = new Set<PartitionQueue>();
  #adding: Promise<void> | undefined;
  /** Whether the coordinator knows the transaction (a partition or the offsets were added): EndTxn is needed. */
  #started = false;
  /** An AddPartitionsToTxn or AddOffsetsToTxn got no answer (timeout, lost connection): the coordinator may hold a transaction not known here. */
  #startUnknown = false;
  /** A sequence is in doubt (UNKNOWN_PRODUCER_ID, a sequenced batch given up): abort bumps the epoch instead of EndTxn. */
  #epochBumpRequired = false;
  /** The commit or abort under way: a second call while it runs shares it. */
  #completing: Promise<void> | undefined;
  /** sendOffsets calls under way: commit() and abort() wait for them, as for sends. */
  readonly #offsetCalls = new Set<Promise<void>>();

  constructor(
    readonly transactionalId: string,
    readonly cluster: ClusterClient,
    readonly options: ResolvedProducerOptions<unknown, unknown>,
    readonly idempotence: ProducerIdempotence,
    readonly host: TransactionHost,
  ) {}

  /** Whether the open transaction can still commit: begun or committing, and nothing of it failed. */
  get mayCommit(): boolean {
    return this.#state === 'in_transaction' || this.#state === 'committing';
  }

  get generation(): number {
    return this.#generation;
  }

  /** initTransactions: a producer id and epoch for the transactional id; the coordinator fences older producers and aborts their open transaction. */
  async initTransactions(): Promise<void> {
    this.#throwIfFatal();
    if (this.#state !== 'uninitialized') return;
    await this.#fatalOnError(() => this.#initProducerId(false));
    this.#state = 'ready';
  }

  /** Opens a transaction; returns its generation. */
  begin(): number {
    this.#throwIfFatal();
    if (this.#state !== 'ready') {
      throw new KafkaTransactionStateError(
        `transactional id ${this.transactionalId} has a transaction in progress (${this.#state}): commit() or abort() it before beginning another`,
      );
    }
    this.#state = 'in_transaction';
    this.#added.clear();
    this.#pending.clear();
    this.#started = false;
    this.#startUnknown = false;
    this.#epochBumpRequired = false;
    return ++this.#generation;
  }

  /** Whether transaction `generation` has not ended (committed, aborted, or the producer fenced). */
  isActive(generation: number): boolean {
    return generation === this.#generation && this.#state !== 'ready' && this.#state !== 'fatal_error';
  }

  /** Throws unless transaction `generation` takes new sends. */
  checkSend(generation: number): void {
    this.#checkCurrent(generation);
    if (this.#state === 'in_transaction') return;
    if (this.#state === 'abortable_error') throw this.#failedError('send');
    throw new KafkaTransactionStateError(`transactional id ${this.transactionalId}: no send once commit() or abort() is called (${this.#state})`);
  }

  /** Throws unless a send of transaction `generation` may still append records (commit() waits for sends made before it). */
  checkAppend(generation: number): void {
    this.#checkCurrent(generation);
    if (this.mayCommit) return;
    if (this.#state === 'aborting') throw this.#abortedError();
    throw this.#failedError('send');
  }

  /** A record is appended to `queue`: its partition joins the transaction before its batch is sent. True when it is new (the sender should run). */
  maybeAddPartition(queue: PartitionQueue): boolean {
    if (this.#added.has(queue) || this.#pending.has(queue)) return false;
    this.#pending.add(queue);
    return true;
  }

  /** Whether the queue's batches may be sent: its partition is in the transaction. */
  mayDrain(queue: PartitionQueue): boolean {
    return this.#state !== 'fatal_error' && this.#added.has(queue);
  }

  /** Why batches not yet sent must be dropped, with whether sent ones awaiting retry go too (fatal); undefined while they may be sent. */
  unsentDropped(): { error: unknown; retriesToo: boolean } | undefined {
    switch (this.#state) {
      case 'fatal_error':
        return { error: this.#lastError, retriesToo: true };
      case 'abortable_error':
        return { error: this.#lastError, retriesToo: false };
      case 'aborting':
        return { error: this.#abortedError(), retriesToo: false };
      default:
        return undefined;
    }
  }

  /** Sends one AddPartitionsToTxn for the partitions that joined since the last one, unless one is in flight. */
  addPendingPartitions(): void {
    if (this.#adding !== undefined || this.#pending.size === 0 || !this.mayCommit) return;
    this.#adding = this.#addPartitions([...this.#pending]).finally(() => {
      this.#adding = undefined;
      this.host.wakeup();
    });
  }

  /** A send of the transaction failed for good: the transaction must be aborted (or the producer closed, if fatal). */
  failed(error: unknown): void {
    if (this.#state === 'fatal_error') return;
    if (isFatalTransactionError(error)) {
      this.#state = 'fatal_error';
      this.#lastError = error;
    } else if (this.mayCommit) {
      this.#state = 'abortable_error';
      this.#lastError = error;
    }
  }

  /** A sequence is in doubt: the transaction must be aborted, and the abort bumps the epoch. */
  failedWithEpochBump(error: unknown): void {
    this.#epochBumpRequired = true;
    this.failed(error);
  }

  /** AddOffsetsToTxn, then TxnOffsetCommit; a commit() or abort() called meanwhile waits for it. */
  sendOffsets(generation: number, groupId: string, offsets: readonly TransactionOffset[], member: TransactionGroupMetadata | null): Promise<void> {
    try {
      this.checkSend(generation);
    } catch (error) {
      return Promise.reject(error);
    }
    const call = this.#sendOffsets(generation, groupId, offsets, member);
    const tracked = call.then(
      () => undefined,
      () => undefined,
    );
    this.#offsetCalls.add(tracked);
    void tracked.finally(() => this.#offsetCalls.delete(tracked));
    return call;
  }

  async #sendOffsets(generation: number, groupId: string, offsets: readonly TransactionOffset[], member: TransactionGroupMetadata | null): Promise<void> {
    const { transactionalId } = this;
    const { producerId, producerEpoch } = this.idempotence;
    try {
      await callTransactionCoordinator(
        this.cluster,
        transactionalId,
        `AddOffsetsToTxn for group ${groupId} (transactional id ${transactionalId})`,
        this.#timeout(),
        async (coordinator) => {
          const response = await this.#unanswered(() => coordinator.request(AddOffsetsToTxn, { transactionalId, producerId, producerEpoch, groupId }));
          if (response.errorCode !== 0) {
            throw transactionalError(transactionalId, response.errorCode, { api: `AddOffsetsToTxn (transactional id ${transactionalId})`, broker: coordinator.label, groupId });
          }
        },
      );
      this.#started = true;
      // A commit() called since waits for the offsets; an abort() drops them.
      this.checkAppend(generation);
      const { deadline, limit } = this.#timeout();
      await txnOffsetCommit(this.cluster, { transactionalId, producerId, producerEpoch, groupId, offsets, member, deadline, limit });
    } catch (error) {
      if (generation === this.#generation) this.failed(error);
      throw error;
    }
  }

  /**
   * Waits for every send of the transaction, then EndTxn(commit). A timeout
   * leaves it committing (its sends all acknowledged): commit() again sends
   * EndTxn again.
   */
  async commit(generation: number): Promise<void> {
    this.#checkCurrent(generation);
    if (this.#state === 'abortable_error') throw this.#lastError;
    if (this.#state === 'aborting') throw new KafkaTransactionStateError(`transactional id ${this.transactionalId}: abort() was called; the transaction cannot commit`);
    return this.#complete(() => this.#commit());
  }

  /** Drops unsent records (their sends reject with KafkaTransactionAbortedError), waits for those in flight, then EndTxn(abort). */
  async abort(generation: number): Promise<void> {
    this.#checkCurrent(generation);
    if (this.#state === 'committing') {
      throw new KafkaTransactionStateError(`transactional id ${this.transactionalId}: commit() is in progress; a commit that timed out is retried by commit(), not aborted`);
    }
    return this.#complete(() => this.#abort());
  }

  #complete(run: () => Promise<void>): Promise<void> {
    this.#completing ??= run().finally(() => (this.#completing = undefined));
    return this.#completing;
  }

  async #commit(): Promise<void> {
    if (this.#state === 'in_transaction') {
      this.#state = 'committing';
      await Promise.all([this.host.flush(), ...this.#offsetCalls]);
      this.#throwIfFatal();
      if (this.#state !== 'committing') throw this.#lastError;
    }
    await this.#end(true);
  }

  async #abort(): Promise<void> {
    this.#state = 'aborting';
    this.host.wakeup();
    await Promise.all([this.host.settled(), ...this.#offsetCalls]);
    await this.#adding;
    this.#throwIfFatal();
    // EndTxn would be refused (INVALID_TXN_STATE) if the coordinator has no transaction, left open until it times out (fencing this producer) if it has one.
    if (this.#startUnknown && !this.#started) this.#epochBumpRequired = true;
    if (this.#epochBumpRequired) {
      // InitProducerId with the current epoch aborts the open transaction and starts a new epoch, whose sequences restart at 0.
      await this.#fatalOnError(() => this.#initProducerId(true));
      this.#state = 'ready';
      return;
    }
    await this.#end(false);
  }

  async #end(commit: boolean): Promise<void> {
    const { transactionalId } = this;
    const { producerId, producerEpoch } = this.idempotence;
    if (this.#started) {
      const what = `EndTxn (${commit ? 'commit' : 'abort'}) for transactional id ${transactionalId}`;
      await this.#fatalOnError(() =>
        callTransactionCoordinator(this.cluster, transactionalId, what, this.#timeout(), async (coordinator) => {
          const response = await coordinator.request(EndTxn, { transactionalId, producerId, producerEpoch, committed: commit });
          if (response.errorCode !== 0) throw transactionalError(transactionalId, response.errorCode, { api: what, broker: coordinator.label });
        }),
      );
    }
    this.#state = 'ready';
  }

  async #initProducerId(bump: boolean): Promise<void> {
    const { transactionalId, idempotence } = this;
    const response = await callTransactionCoordinator(
      this.cluster,
      transactionalId,
      `InitProducerId for transactional id ${transactionalId}`,
      this.#timeout(),
      async (coordinator) => {
        if (!coordinator.supports(InitProducerId) || (bump && !coordinator.supports(InitProducerId, 3))) {
          throw new KafkaUnsupportedVersionError(
            `${coordinator.label} does not support InitProducerId${bump ? ' v3+ (bumping the epoch of a transactional producer)' : ''}, which transactional id ${transactionalId} needs`,
          );
        }
        const answer = await coordinator.request(InitProducerId, {
          transactionalId,
          transactionTimeoutMs: this.options.transactionTimeoutMs,
          producerId: bump ? idempotence.producerId : -1n,
          producerEpoch: bump ? idempotence.producerEpoch : -1,
        });
        if (answer.errorCode !== 0)
          throw transactionalError(transactionalId, answer.errorCode, { api: `InitProducerId (transactional id ${transactionalId})`, broker: coordinator.label });
        return answer;
      },
    );
    idempotence.adopt(response.producerId, response.producerEpoch, this.host.queues);
    this.#epochBumpRequired = false;
  }

  /** AddPartitionsToTxn for `queues` until each is added or the transaction fails; retries CONCURRENT_TRANSACTIONS quickly, as the Java client. */
  async #addPartitions(queues: PartitionQueue[]): Promise<void> {
    const { transactionalId } = this;
    const deadline = Date.now() + this.options.deliveryTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (!this.mayCommit) return;
      let retry: KafkaClientError;
      let delay: number;
      try {
        const coordinator = await this.cluster.coordinator('transaction', transactionalId);
        const identity = { transactionalId, producerId: this.idempotence.producerId, producerEpoch: this.idempotence.producerEpoch };
        const outcome = await this.#unanswered(() => addPartitionsToTxn(coordinator, identity, queues));
        for (const queue of outcome.added) {
          this.#added.add(queue);
          this.#pending.delete(queue);
        }
        if (outcome.added.length > 0) this.#started = true;
        queues = queues.filter((queue) => !this.#added.has(queue));
        if (queues.length === 0) return;
        const fatal = outcome.errors.find((error) => !error.retriable);
        if (fatal !== undefined) return this.failed(fatal);
        retry = outcome.errors[0] ?? new KafkaClientError(`AddPartitionsToTxn for transactional id ${transactionalId}: nothing attempted`, { retriable: true });
        const quick = outcome.concurrentTransactions && this.#added.size === 0;
        delay = quick ? Math.min(CONCURRENT_TRANSACTIONS_BACKOFF_MS, this.cluster.options.retryBackoffMs) : backoffDelay(attempt, this.cluster.options);
      } catch (error) {
        const failure = error instanceof KafkaClientError ? error : new KafkaConnectionError(String(error), { cause: error });
        if (!failure.retriable) return this.failed(failure);
        retry = failure;
        delay = backoffDelay(attempt, this.cluster.options);
      }
      if (coordinatorMoved(retry)) this.cluster.invalidateCoordinator('transaction', transactionalId);
      if (Date.now() + delay >= deadline) {
        const names = queues.map((q) => `${q.topic}-${q.partition}`).join(', ');
        return this.failed(
          new KafkaTimeoutError(
            `AddPartitionsToTxn of ${names} for transactional id ${transactionalId} did not succeed within deliveryTimeoutMs (${this.options.deliveryTimeoutMs} ms): ${retry.message}`,
            { cause: retry },
          ),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /** Sends a request that adds to the transaction; one that fails without an answer may have been applied. */
  async #unanswered<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      this.#startUnknown = true;
      throw error;
    }
  }

  /** Runs a coordinator call; a fatal error it throws makes the producer unusable. */
  async #fatalOnError<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (isFatalTransactionError(error)) {
        this.#state = 'fatal_error';
        this.#lastError = error;
      }
      throw error;
    }
  }

  #timeout(): { deadline: number; limit: string } {
    return { deadline: Date.now() + this.options.maxBlockMs, limit: `maxBlockMs (${this.options.maxBlockMs} ms)` };
  }

  #throwIfFatal(): void {
    if (this.#state === 'fatal_error') throw this.#lastError;
  }

  #checkCurrent(generation: number): void {
    this.#throwIfFatal();
    if (generation !== this.#generation || this.#state === 'ready') {
      throw new KafkaTransactionStateError(
        `transaction ${generation} of transactional id ${this.transactionalId} has ended (committed or aborted); begin another with producer.transaction()`,
      );
    }
  }

  #failedError(what: string): KafkaTransactionStateError {
    const cause = this.#lastError;
    const why = cause instanceof Error ? cause.message : String(cause);
    return new KafkaTransactionStateError(`transactional id ${this.transactionalId}: no ${what} in a failed transaction (${why}); abort() it`, { cause });
  }

  #abortedError(): KafkaTransactionAbortedError {
    return new KafkaTransactionAbortedError(`the transaction of transactional id ${this.transactionalId} was aborted before these records were sent`);
  }
}
