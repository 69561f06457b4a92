import { ErrorCode } from '@kstream/protocol';
import type { TopicPartitionRef } from '../coordinator-types.js';
import { TransactionState } from '../records/index.js';
import type { CoordinatorContext } from './coordinator-context.js';
import type { TransactionMetadata } from './transaction-metadata.js';
import type { TransactionShard } from './transaction-shard.js';

// AddPartitionsToTxn and AddOffsetsToTxn (Kafka's
// TransactionCoordinator.handleAddPartitionsToTransaction and
// handleVerifyPartitionsInTransaction):
// - the id must hold the producer id (INVALID_PRODUCER_ID_MAPPING) at the
//   epoch given (PRODUCER_FENCED);
// - a write in flight or Prepare*: CONCURRENT_TRANSACTIONS;
// - partitions already in the Ongoing transaction: NONE without a write;
// - otherwise the partitions are added and the transaction is Ongoing (its
//   start time set when it begins), once written.

type Checked = { readonly shard: TransactionShard; readonly metadata: TransactionMetadata } | { readonly errorCode: number };

function checkProducer(ctx: CoordinatorContext, transactionalId: string, producerId: bigint, producerEpoch: number): Checked {
  if (transactionalId === '') return { errorCode: ErrorCode.INVALID_REQUEST };
  const routed = ctx.shards.route(transactionalId);
  if ('errorCode' in routed) return routed;
  const metadata = routed.shard.transactions.get(transactionalId);
  if (metadata === undefined || metadata.producerId !== producerId) return { errorCode: ErrorCode.INVALID_PRODUCER_ID_MAPPING };
  if (metadata.producerEpoch !== producerEpoch) return { errorCode: ErrorCode.PRODUCER_FENCED };
  return { shard: routed.shard, metadata };
}

/** Resolves with Kafka's error code for the whole set of partitions (before the version's mapping of PRODUCER_FENCED). */
export async function addPartitionsToTransaction(
  ctx: CoordinatorContext,
  transactionalId: string,
  producerId: bigint,
  producerEpoch: number,
  partitions: readonly TopicPartitionRef[],
): Promise<number> {
  const checked = checkProducer(ctx, transactionalId, producerId, producerEpoch);
  if ('errorCode' in checked) return checked.errorCode;
  const { shard, metadata } = checked;
  if (metadata.pendingTransitionInProgress) return ErrorCode.CONCURRENT_TRANSACTIONS;
  if (metadata.state === TransactionState.PrepareCommit || metadata.state === TransactionState.PrepareAbort) return ErrorCode.CONCURRENT_TRANSACTIONS;
  if (metadata.state === TransactionState.Ongoing && partitions.every((partition) => metadata.hasPartition(partition))) return ErrorCode.NONE;
  return ctx.writer.write(shard, metadata, metadata.prepareAddPartitions(partitions, ctx.clock()));
}

/**
 * AddPartitionsToTxn v4 with verifyOnly (a partition leader checking a
 * transactional produce, KIP-890): per partition NONE when the transaction
 * is Ongoing and holds it, TRANSACTION_ABORTABLE when not (Kafka 3.8+: no
 * transaction, or one completing or completed without it); or one error for
 * them all.
 */
export function verifyPartitionsInTransaction(
  ctx: CoordinatorContext,
  transactionalId: string,
  producerId: bigint,
  producerEpoch: number,
  partitions: readonly TopicPartitionRef[],
): number[] {
  const checked = checkProducer(ctx, transactionalId, producerId, producerEpoch);
  if ('errorCode' in checked) return partitions.map(() => checked.errorCode);
  const { metadata } = checked;
  if (metadata.state === TransactionState.PrepareCommit || metadata.state === TransactionState.PrepareAbort) {
    return partitions.map(() => ErrorCode.CONCURRENT_TRANSACTIONS);
  }
  const ongoing = metadata.state === TransactionState.Ongoing;
  return partitions.map((partition) => (ongoing && metadata.hasPartition(partition) ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE));
}
