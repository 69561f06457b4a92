import { ErrorCode } from '@kstream/protocol';
import { TransactionState, transactionStateName } from '../records/index.js';
import type { CoordinatorContext } from './coordinator-context.js';
import { NO_PRODUCER_EPOCH } from './transaction-metadata.js';

// EndTxn, and the aborts the coordinator starts itself (Kafka's
// TransactionCoordinator.endTransaction):
// - Ongoing → PrepareCommit / PrepareAbort written, answered NONE, then the
//   markers go out and CompleteCommit / CompleteAbort is written;
// - a retry after the end with the same result → NONE, with the other result
//   → INVALID_TXN_STATE; the same result still in progress →
//   CONCURRENT_TRANSACTIONS; Empty → INVALID_TXN_STATE;
// - a client's epoch must be the current one (PRODUCER_FENCED); the
//   coordinator's own abort of a fenced or timed-out transaction comes with
//   the bumped epoch of its pending PrepareEpochFence, which it writes with
//   the PrepareAbort.

/** Resolves with Kafka's error code for the end of the transaction (before the version's mapping of PRODUCER_FENCED). */
export async function endTransaction(
  ctx: CoordinatorContext,
  transactionalId: string,
  producerId: bigint,
  producerEpoch: number,
  commit: boolean,
  fromClient: boolean,
): Promise<number> {
  if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
  const routed = ctx.shards.route(transactionalId);
  if ('errorCode' in routed) return routed.errorCode;
  const { shard } = routed;
  const metadata = shard.transactions.get(transactionalId);
  if (metadata === undefined || metadata.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
  if ((fromClient && producerEpoch !== metadata.producerEpoch) || producerEpoch < metadata.producerEpoch) return ErrorCode.PRODUCER_FENCED;
  const epochFence = metadata.pendingState === TransactionState.PrepareEpochFence && !commit;
  if (metadata.pendingTransitionInProgress && !epochFence) return ErrorCode.CONCURRENT_TRANSACTIONS;
  const wanted = commit ? TransactionState.PrepareCommit : TransactionState.PrepareAbort;
  switch (metadata.state) {
    case TransactionState.Ongoing:
      break;
    case TransactionState.CompleteCommit:
      return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
    case TransactionState.CompleteAbort:
      return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE;
    case TransactionState.PrepareCommit:
    case TransactionState.PrepareAbort:
      return metadata.state === wanted ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE;
    case TransactionState.Empty:
      return ErrorCode.INVALID_TXN_STATE;
    default:
      ctx.logger.error('transaction coordinator: a transactional id in a state it never rests in', {
        transactionalId,
        state: transactionStateName(metadata.state),
      });
      return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
  if (epochFence) {
    // The fence's bump takes effect now, in memory: the fenced producer is refused from here on, even if this write fails.
    metadata.pendingState = undefined;
    metadata.producerEpoch = producerEpoch;
    metadata.lastProducerEpoch = NO_PRODUCER_EPOCH;
  }
  const prepared = metadata.prepareAbortOrCommit(wanted, ctx.clock());
  const written = await ctx.writer.write(shard, metadata, prepared);
  if (written !== ErrorCode.NONE) {
    if (epochFence && ctx.writer.holds(shard, metadata)) metadata.hasFailedEpochFence = true;
    return written;
  }
  const complete = metadata.prepareComplete(ctx.clock());
  void ctx.markerSender.complete(shard, metadata, complete);
  return ErrorCode.NONE;
}
