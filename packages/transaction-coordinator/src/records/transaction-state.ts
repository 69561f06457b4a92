// A transactional id's state (Kafka's TransactionState): the int8 status
// stored in __transaction_state and the name DescribeTransactions and
// ListTransactions show. The codes never change meaning.

export const TransactionState = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
} as const;
export type TransactionState = (typeof TransactionState)[keyof typeof TransactionState];

const NAMES: readonly string[] = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence'];

/** Kafka's name of the state, as the admin APIs show it. */
export function transactionStateName(state: TransactionState): string {
  return NAMES[state]!;
}

/** The state of a name, or undefined for a name Kafka does not define (ListTransactions reports it back). */
export function transactionStateFromName(name: string): TransactionState | undefined {
  const index = NAMES.indexOf(name);
  return index < 0 ? undefined : (index as TransactionState);
}

/** The state of a stored status; undefined for a code Kafka does not define. */
export function transactionStateFromStatus(status: number): TransactionState | undefined {
  return Number.isInteger(status) && status >= 0 && status < NAMES.length ? (status as TransactionState) : undefined;
}
