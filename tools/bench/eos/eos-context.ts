// What the exactly-once benchmark's parts share: the node main.ts started,
// the sizes (full or --quick), the clients compared, and how their children
// are started (the client benchmark's ChildContext).
import type { ChildContext } from '../client/part-context.js';
import type { TxnClient } from './messages.js';

export interface EosSizes {
  /** Idempotence part: records per round, warm-up records before it, rounds (a child each). */
  readonly produceRecords: number;
  readonly produceWarmup: number;
  readonly produceRounds: number;
  /** Transactions part: rounds (a child each) and, per transaction size, the timed transactions of a round. */
  readonly txnRounds: number;
  readonly txnWarmup: number;
  readonly transactionsPerRound: Readonly<Record<number, number>>;
}

export interface EosContext extends ChildContext {
  readonly sizes: EosSizes;
  /** Ours first when it is built, then kafkajs. */
  readonly clients: readonly TxnClient[];
}
