// ListTransactions v0–1
// - Every broker answers for the transactional ids of the
//   __transaction_state partitions it leads (clients ask every broker):
//   id, producer id and state, filtered by state names (an unknown name is
//   listed in unknownStateFilters), by producer ids and (v1+) by how long
//   the transaction has been running (durationFilter ms, -1: any).
// - COORDINATOR_LOAD_IN_PROGRESS while one of its partitions loads.
import { ListTransactions } from '@kstream/protocol';
import type { ApiHandler } from './handler.js';

export const listTransactionsHandler: ApiHandler<typeof ListTransactions> = {
  api: ListTransactions,
  handle: (request, { broker }) => broker.transactions.listTransactions(request),
};
