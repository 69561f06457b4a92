// EndTxn v0–4
// - Answered by the transaction coordinator of the transactional id's
//   __transaction_state partition: NOT_COORDINATOR on any other broker,
//   COORDINATOR_LOAD_IN_PROGRESS while it loads.
// - Commits (committed true) or aborts the id's ongoing transaction: NONE
//   once PrepareCommit / PrepareAbort is written to __transaction_state; the
//   markers then go to every partition of the transaction (through their
//   leaders, retried until written) and CompleteCommit / CompleteAbort is
//   written. A retry of an ended transaction with the same result is NONE,
//   with the other INVALID_TXN_STATE; the same end still in progress is
//   CONCURRENT_TRANSACTIONS; no transaction open is INVALID_TXN_STATE;
//   INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED (v2+; INVALID_PRODUCER_EPOCH
//   before) for a producer that is not the id's current one.
import { EndTxn } from '@kstream/protocol';
import type { ApiHandler } from './handler.js';

export const endTxnHandler: ApiHandler<typeof EndTxn> = {
  api: EndTxn,
  handle: (request, { apiVersion, broker }) => broker.transactions.endTxn(request, apiVersion),
};
