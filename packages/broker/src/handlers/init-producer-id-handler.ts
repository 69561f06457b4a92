// InitProducerId v0–5
// - Without a transactional id (an idempotent producer) any broker answers:
//   a producer id never handed out before, from this broker's block of ids
//   (the controller hands blocks out), at epoch 0. A v3+ producerId/epoch
//   of an earlier incarnation gets a fresh id too, as Kafka answers without
//   a transactional id. COORDINATOR_LOAD_IN_PROGRESS (retriable) while no
//   block has arrived from the controller.
// - With a transactional id: answered by the transaction coordinator of its
//   __transaction_state partition (NOT_COORDINATOR on any other broker,
//   COORDINATOR_LOAD_IN_PROGRESS while it loads): the id's producer id at
//   its next epoch, which fences any older producer of the same id (a new
//   producer id once the epoch is exhausted); CONCURRENT_TRANSACTIONS while
//   its previous transaction is being completed (an open one is aborted
//   first); INVALID_TRANSACTION_TIMEOUT when transactionTimeoutMs exceeds
//   transaction.max.timeout.ms; v3+ PRODUCER_FENCED when the producerId/epoch
//   sent is not the id's current one.
// - v3+: a producerId without a producerEpoch, or the reverse, is
//   INVALID_REQUEST.
import { ErrorCode, InitProducerId, type ResponseOf } from '@kstream/protocol';
import { errorCodeOf, PartitionError } from '@kstream/replication';
import type { ApiHandler, BrokerServices } from './handler.js';

type InitProducerIdResponse = ResponseOf<typeof InitProducerId>;

/** Kafka's RecordBatch.NO_PRODUCER_ID / NO_PRODUCER_EPOCH. */
const NO_PRODUCER_ID = -1n;
const NO_PRODUCER_EPOCH = -1;

export const initProducerIdHandler: ApiHandler<typeof InitProducerId> = {
  api: InitProducerId,
  async handle(request, { apiVersion, broker }) {
    if ((request.producerId === NO_PRODUCER_ID) !== (request.producerEpoch === NO_PRODUCER_EPOCH)) {
      return failed(ErrorCode.INVALID_REQUEST);
    }
    if (request.transactionalId === null) return idempotentProducerId(broker);
    return broker.transactions.initProducerId(request, apiVersion);
  },
};

async function idempotentProducerId(broker: BrokerServices): Promise<InitProducerIdResponse> {
  try {
    const producerId = await broker.producerIds.generate();
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
  } catch (error) {
    if (!(error instanceof PartitionError)) broker.logger.error(`broker ${broker.brokerId}: no producer id for an idempotent producer`, { error });
    return failed(errorCodeOf(error));
  }
}

function failed(errorCode: number): InitProducerIdResponse {
  return { throttleTimeMs: 0, errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH };
}
