// DescribeTransactions v0
// - Each transactional id is answered on its own by this broker's
//   transaction coordinator: its state (Kafka's names: Empty, Ongoing,
//   PrepareCommit, ...), timeout, start time, producer id and epoch and the
//   partitions of its transaction; NOT_COORDINATOR for an id whose
//   __transaction_state partition this broker does not lead,
//   COORDINATOR_LOAD_IN_PROGRESS while it loads, TRANSACTIONAL_ID_NOT_FOUND
//   for an id it does not know. Clients ask each id's coordinator.
import { DescribeTransactions } from '@kstream/protocol';
import type { ApiHandler } from './handler.js';

export const describeTransactionsHandler: ApiHandler<typeof DescribeTransactions> = {
  api: DescribeTransactions,
  handle: (request, { broker }) => broker.transactions.describeTransactions(request),
};
