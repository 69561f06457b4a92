// AddPartitionsToTxn v0–4
// - Answered by the transaction coordinator of the transactional id's
//   __transaction_state partition: NOT_COORDINATOR on any other broker,
//   COORDINATOR_LOAD_IN_PROGRESS while it loads.
// - The partitions join the id's transaction (the first ones start it),
//   written to __transaction_state before the answer. A partition metadata
//   does not know is UNKNOWN_TOPIC_OR_PARTITION and the transaction's other
//   partitions OPERATION_NOT_ATTEMPTED (nothing added); a transaction-level
//   error is every partition's: INVALID_PRODUCER_ID_MAPPING (the id does not
//   hold this producer id), PRODUCER_FENCED (v2+; INVALID_PRODUCER_EPOCH
//   before) for an older epoch, CONCURRENT_TRANSACTIONS while the previous
//   transaction's markers are being written.
// - v0–3 carry one transaction (a client's); v4+ batch several, each
//   answered on its own, verifyOnly checking without adding (KIP-890).
import { AddPartitionsToTxn } from '@kstream/protocol';
import type { ApiHandler } from './handler.js';

export const addPartitionsToTxnHandler: ApiHandler<typeof AddPartitionsToTxn> = {
  api: AddPartitionsToTxn,
  handle: (request, { apiVersion, broker }) => broker.transactions.addPartitionsToTxn(request, apiVersion),
};
