import { ErrorCode } from '@kstream/protocol';
import { TransactionState } from '../records/index.js';
import type { CoordinatorContext } from './coordinator-context.js';
import { endTransaction } from './end-transaction.js';
import type { TransactionShard } from './transaction-shard.js';

/**
 * Aborts every Ongoing transaction of `shard` open longer than its timeout
 * (Kafka's abortTimedOutTransactions, run every
 * transaction.abort.timed.out.transaction.cleanup.interval.ms): the epoch is
 * bumped first, so the producer that left it open is fenced. An id with a
 * write in flight is left to the next check.
 */
export function abortTimedOutTransactions(ctx: CoordinatorContext, shard: TransactionShard): void {
  const now = ctx.clock();
  for (const metadata of shard.transactions.values()) {
    if (metadata.pendingTransitionInProgress || metadata.state !== TransactionState.Ongoing) continue;
    if (metadata.txnStartTimestamp + metadata.txnTimeoutMs >= now) continue;
    const { transactionalId, producerId, txnTimeoutMs, txnStartTimestamp } = metadata;
    const fence = metadata.prepareFenceProducerEpoch();
    ctx.logger.info('transaction coordinator: aborting a timed-out transaction', {
      transactionalId,
      producerId,
      fencedEpoch: fence.producerEpoch - 1,
      txnTimeoutMs,
      openForMs: now - txnStartTimestamp,
    });
    void endTransaction(ctx, transactionalId, fence.producerId, fence.producerEpoch, false, false).then((errorCode) => {
      if (errorCode !== ErrorCode.NONE) {
        ctx.logger.warn('transaction coordinator: aborting a timed-out transaction failed; the next check retries', { transactionalId, producerId, errorCode });
      }
    });
  }
}
