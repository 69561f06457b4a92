// What the exactly-once benchmark's parent sends a transactions child over
// IPC, and what the child answers (child.ts's ChildReply). The idempotence
// part reuses the client benchmark's produce job and worker as they are.

/** The clients with a transactional producer: ours and kafkajs. */
export type TxnClient = 'kstream' | 'kafkajs';

/**
 * Run `warmupTransactions`, then `transactions` timed ones, each: begin,
 * `recordsPerTransaction` unkeyed values sent `chunk` a call with up to
 * `inFlight` calls outstanding, commit. One producer, with
 * `transactionalId`, for the whole job.
 */
export interface TxnJob {
  readonly kind: 'transactions';
  readonly client: TxnClient;
  readonly bootstrap: string;
  readonly topic: string;
  readonly partitions: number;
  readonly transactionalId: string;
  readonly valueBytes: number;
  readonly recordsPerTransaction: number;
  readonly chunk: number;
  readonly inFlight: number;
  readonly warmupTransactions: number;
  readonly transactions: number;
}

export interface TxnResult {
  readonly kind: 'transactions';
  /** How the benchmark calls the client. */
  readonly description: string;
  /** Transactions committed in the timed phase, and its wall time from the first begin to the last commit's answer. */
  readonly committed: number;
  readonly seconds: number;
  /** Records every send acknowledged, warm-up included. */
  readonly acknowledged: number;
  /** Over every transaction, warm-up included: the partitions it wrote to, each of which gets one commit marker. */
  readonly partitionsWritten: number;
}
