// AddOffsetsToTxn v0–4
// - Answered by the transaction coordinator of the transactional id's
//   __transaction_state partition: NOT_COORDINATOR on any other broker,
//   COORDINATOR_LOAD_IN_PROGRESS while it loads.
// - The group's __consumer_offsets partition joins the transaction, as
//   AddPartitionsToTxn adds one, so the transaction's markers reach the
//   offsets the producer then commits with TxnOffsetCommit (to the group
//   coordinator). Errors as AddPartitionsToTxn's transaction-level ones:
//   INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED (v2+; INVALID_PRODUCER_EPOCH
//   before), CONCURRENT_TRANSACTIONS.
import { AddOffsetsToTxn } from '@kstream/protocol';
import type { ApiHandler } from './handler.js';

export const addOffsetsToTxnHandler: ApiHandler<typeof AddOffsetsToTxn> = {
  api: AddOffsetsToTxn,
  handle: (request, { apiVersion, broker }) => broker.transactions.addOffsetsToTxn(request, apiVersion),
};
