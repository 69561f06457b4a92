import { ErrorCode } from '@kstream/protocol';
import { TransactionState } from '../records/index.js';
import type { CoordinatorContext } from './coordinator-context.js';
import type { TransactionMetadata, TxnTransit } from './transaction-metadata.js';
import type { TransactionShard } from './transaction-shard.js';

/**
 * Removes the transactional ids of `shard` idle for
 * transactional.id.expiration.ms with no transaction open — Empty,
 * CompleteCommit or CompleteAbort, no write in flight (Kafka's
 * transactionalId-expiration, run every
 * transaction.remove.expired.transaction.cleanup.interval.ms): one batch of
 * tombstones, then the ids leave the cache. Resolves with the write's error
 * (NONE also when nothing expired).
 */
export async function removeExpiredTransactionalIds(ctx: CoordinatorContext, shard: TransactionShard): Promise<number> {
  const now = ctx.clock();
  const expirationMs = ctx.config().transactionalIdExpirationMs;
  const expired: [TransactionMetadata, TxnTransit][] = [];
  for (const metadata of shard.transactions.values()) {
    if (metadata.pendingTransitionInProgress || !isExpirable(metadata.state)) continue;
    if (metadata.txnLastUpdateTimestamp > now - expirationMs) continue;
    expired.push([metadata, metadata.prepareDead()]);
  }
  if (expired.length === 0) return ErrorCode.NONE;
  const error = await ctx.writer.writeTombstones(shard, expired);
  if (error === ErrorCode.NONE) {
    ctx.logger.info('transaction coordinator: removed expired transactional ids', { partition: shard.partition, transactionalIds: expired.length });
  } else {
    ctx.logger.warn('transaction coordinator: writing the tombstones of expired transactional ids failed; the next check retries', {
      partition: shard.partition,
      transactionalIds: expired.length,
      errorCode: error,
    });
  }
  return error;
}

function isExpirable(state: TransactionState): boolean {
  return state === TransactionState.Empty || state === TransactionState.CompleteCommit || state === TransactionState.CompleteAbort;
}
