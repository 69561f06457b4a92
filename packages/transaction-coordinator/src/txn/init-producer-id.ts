import { ErrorCode } from '@kstream/protocol';
import { TransactionState, transactionStateName } from '../records/index.js';
import type { CoordinatorContext } from './coordinator-context.js';
import { endTransaction } from './end-transaction.js';
import { isEpochExhausted, NO_PRODUCER_EPOCH, NO_PRODUCER_ID, TransactionMetadata, type TxnTransit } from './transaction-metadata.js';
import type { TransactionShard } from './transaction-shard.js';

// InitProducerId with a transactional id (Kafka's
// TransactionCoordinator.handleInitProducerId):
// - the timeout must be in (0, transaction.max.timeout.ms]: INVALID_TRANSACTION_TIMEOUT;
// - a new id gets a fresh producer id at epoch 0;
// - Empty / Complete*: the epoch is bumped (at 32766 a fresh producer id, epoch 0);
// - Ongoing: the open transaction is aborted at a bumped epoch (fencing the
//   producer that opened it) and the answer is CONCURRENT_TRANSACTIONS, so
//   the client retries and gets the epoch bumped once more;
// - Prepare*, or any write in flight: CONCURRENT_TRANSACTIONS;
// - KIP-360 (v3+): a producer id and epoch given must be the current ones
//   (or the previous after a bump whose answer was lost), else PRODUCER_FENCED.

export interface ExpectedProducer {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

export interface InitProducerIdResult {
  readonly errorCode: number;
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

function failed(errorCode: number): InitProducerIdResult {
  return { errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH };
}

/** What InitProducerId does with the id's metadata now: an error, a transit to write, a fence, or first a fresh producer id. */
type InitStep = { readonly errorCode: number } | { readonly transit: TxnTransit } | { readonly fence: TxnTransit } | { readonly needsProducerId: true };

export async function initProducerId(
  ctx: CoordinatorContext,
  transactionalId: string,
  transactionTimeoutMs: number,
  expected: ExpectedProducer | undefined,
): Promise<InitProducerIdResult> {
  if (transactionalId === '') return failed(ErrorCode.INVALID_REQUEST);
  const maxTimeoutMs = ctx.config().transactionMaxTimeoutMs;
  if (transactionTimeoutMs <= 0 || transactionTimeoutMs > maxTimeoutMs) return failed(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  // A producer id fetched before the step that needs it: fetching awaits, so the step is worked out again after it.
  let spare: bigint | undefined;
  for (;;) {
    const routed = ctx.shards.route(transactionalId);
    if ('errorCode' in routed) return failed(routed.errorCode);
    const { shard } = routed;
    let metadata = shard.transactions.get(transactionalId);
    if (metadata === undefined && spare !== undefined) {
      const { Empty } = TransactionState;
      metadata = new TransactionMetadata(transactionalId, spare, NO_PRODUCER_ID, NO_PRODUCER_EPOCH, NO_PRODUCER_EPOCH, transactionTimeoutMs, Empty, -1, ctx.clock());
      shard.transactions.set(transactionalId, metadata);
      spare = undefined;
    }
    const step: InitStep = metadata === undefined ? { needsProducerId: true } : prepareInit(ctx, metadata, transactionTimeoutMs, expected, spare);
    if ('needsProducerId' in step) {
      try {
        spare = await ctx.producerIds.generate();
      } catch (error) {
        return failed(generateError(error));
      }
      continue;
    }
    if ('errorCode' in step) return failed(step.errorCode);
    if ('fence' in step) {
      const aborted = await endTransaction(ctx, transactionalId, step.fence.producerId, step.fence.producerEpoch, false, false);
      return failed(aborted === ErrorCode.NONE ? ErrorCode.CONCURRENT_TRANSACTIONS : aborted);
    }
    return written(ctx, shard, metadata!, step.transit);
  }
}

async function written(ctx: CoordinatorContext, shard: TransactionShard, metadata: TransactionMetadata, transit: TxnTransit): Promise<InitProducerIdResult> {
  const error = await ctx.writer.write(shard, metadata, transit);
  if (error !== ErrorCode.NONE) return failed(error);
  ctx.logger.info('transaction coordinator: initialized transactional id', {
    transactionalId: metadata.transactionalId,
    producerId: transit.producerId,
    producerEpoch: transit.producerEpoch,
    partition: shard.partition,
  });
  return { errorCode: ErrorCode.NONE, producerId: transit.producerId, producerEpoch: transit.producerEpoch };
}

function prepareInit(ctx: CoordinatorContext, metadata: TransactionMetadata, timeoutMs: number, expected: ExpectedProducer | undefined, spare: bigint | undefined): InitStep {
  if (metadata.pendingTransitionInProgress) return { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS };
  if (expected !== undefined && !isValidProducerId(metadata, expected)) return { errorCode: ErrorCode.PRODUCER_FENCED };
  const now = ctx.clock();
  switch (metadata.state) {
    case TransactionState.PrepareCommit:
    case TransactionState.PrepareAbort:
      return { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS };
    case TransactionState.Ongoing:
      return { fence: metadata.prepareFenceProducerEpoch() };
    case TransactionState.Empty:
    case TransactionState.CompleteCommit:
    case TransactionState.CompleteAbort:
      break;
    default:
      ctx.logger.error('transaction coordinator: a transactional id in a state it never rests in', {
        transactionalId: metadata.transactionalId,
        state: transactionStateName(metadata.state),
      });
      return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR };
  }
  const current = metadata.producerEpoch;
  if (expected !== undefined && current !== NO_PRODUCER_EPOCH && expected.producerEpoch !== current) {
    // A retry of a bump whose answer was lost: the same answer again, no new bump.
    if (expected.producerEpoch === metadata.lastProducerEpoch) {
      return { transit: metadata.prepareIncrementProducerEpoch(timeoutMs, current, metadata.lastProducerEpoch, now) };
    }
    return { errorCode: ErrorCode.PRODUCER_FENCED };
  }
  if (metadata.isProducerEpochExhausted) {
    if (spare === undefined) return { needsProducerId: true };
    return { transit: metadata.prepareProducerIdRotation(spare, timeoutMs, now, expected !== undefined) };
  }
  return { transit: metadata.prepareIncrementProducerEpoch(timeoutMs, current + 1, expected === undefined ? NO_PRODUCER_EPOCH : current, now) };
}

/**
 * KIP-360: the producer id given must be the id's (or any, for an id just
 * created), or the previous one when its epoch was exhausted and rotated.
 */
function isValidProducerId(metadata: TransactionMetadata, expected: ExpectedProducer): boolean {
  return (
    metadata.producerEpoch === NO_PRODUCER_EPOCH ||
    expected.producerId === metadata.producerId ||
    (expected.producerId === metadata.lastProducerId && isEpochExhausted(expected.producerEpoch))
  );
}

function generateError(error: unknown): number {
  const code = (error as { errorCode?: unknown } | undefined)?.errorCode;
  return typeof code === 'number' ? code : ErrorCode.COORDINATOR_NOT_AVAILABLE;
}
