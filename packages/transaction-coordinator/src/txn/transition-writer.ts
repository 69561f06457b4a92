import type { Logger } from '@kstream/log-storage';
import { ErrorCode } from '@kstream/protocol';
import type { TransactionLog } from '../coordinator-types.js';
import { encodeTransactionLogBatch, TransactionState, transactionStateName, type TransactionLogRecord } from '../records/index.js';
import { transitLogValue, type TransactionMetadata, type TxnTransit } from './transaction-metadata.js';
import type { TransactionShard } from './transaction-shard.js';
import type { TransactionShards } from './transaction-shards.js';
import { transactionWriteError } from './transaction-write-errors.js';

export interface TransitionWriterDeps {
  readonly log: TransactionLog;
  readonly shards: TransactionShards;
  readonly clock: () => number;
  readonly logger: Logger;
}

/**
 * Writes prepared transitions to __transaction_state, acks=all, and applies
 * them once written (Kafka's appendTransactionToLog). A write counts only if
 * the shard it began under still serves and still holds the same metadata;
 * otherwise the answer is NOT_COORDINATOR and nothing is applied. A failed
 * write clears the pending state, unless the caller retries that error.
 */
export class TransitionWriter {
  constructor(private readonly deps: TransitionWriterDeps) {}

  /** Resolves with the coordinator error for the client: NONE once `transit` is applied to `metadata`. */
  async write(shard: TransactionShard, metadata: TransactionMetadata, transit: TxnTransit, retryOnError?: (errorCode: number) => boolean): Promise<number> {
    const { transactionalId } = metadata;
    if (!this.holds(shard, metadata)) return ErrorCode.NOT_COORDINATOR;
    const record: TransactionLogRecord = { transactionalId, value: transitLogValue(transit) };
    let error: number;
    try {
      const batch = encodeTransactionLogBatch([record], BigInt(this.deps.clock()));
      const appended = await this.deps.log.append(shard.partition, shard.coordinatorEpoch, batch);
      error = transactionWriteError(appended.errorCode);
    } catch (failure) {
      this.deps.logger.error('transaction coordinator: a transition could not be encoded', {
        transactionalId,
        state: transactionStateName(transit.state),
        error: failure instanceof Error ? failure.message : String(failure),
      });
      error = ErrorCode.UNKNOWN_SERVER_ERROR;
    }
    const held = this.holds(shard, metadata);
    if (error === ErrorCode.NONE) {
      if (!held) return ErrorCode.NOT_COORDINATOR;
      metadata.completeTransitionTo(transit);
      return ErrorCode.NONE;
    }
    if (held && !(retryOnError?.(error) ?? false)) metadata.pendingState = undefined;
    this.deps.logger.info('transaction coordinator: writing a transition failed', {
      transactionalId,
      partition: shard.partition,
      state: transactionStateName(transit.state),
      producerId: transit.producerId,
      producerEpoch: transit.producerEpoch,
      errorCode: error,
    });
    return error;
  }

  /**
   * Expiry: writes one tombstone per id of `expired` (each pending Dead) in one
   * batch and removes those still pending Dead at the same epoch; the others'
   * pending state is cleared. Resolves with the coordinator error.
   */
  async writeTombstones(shard: TransactionShard, expired: readonly [TransactionMetadata, TxnTransit][]): Promise<number> {
    const records = expired.map(([metadata]): TransactionLogRecord => ({ transactionalId: metadata.transactionalId, value: null }));
    const batch = encodeTransactionLogBatch(records, BigInt(this.deps.clock()));
    const appended = await this.deps.log.append(shard.partition, shard.coordinatorEpoch, batch);
    const error = transactionWriteError(appended.errorCode);
    for (const [metadata, transit] of expired) {
      if (!this.holds(shard, metadata) || metadata.pendingState !== TransactionState.Dead) continue;
      if (error === ErrorCode.NONE && metadata.producerEpoch === transit.producerEpoch) shard.transactions.delete(metadata.transactionalId);
      else metadata.pendingState = undefined;
    }
    return error;
  }

  /** Whether `shard` still serves and holds `metadata` as its id's. */
  holds(shard: TransactionShard, metadata: TransactionMetadata): boolean {
    return this.deps.shards.owns(shard) && shard.transactions.get(metadata.transactionalId) === metadata;
  }
}
