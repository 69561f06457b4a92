// What the transactions figure needs of a client, so each client is driven
// by the same loop (txn-run.ts): a transactional producer whose transactions
// send unkeyed values and commit.

export interface TxnProducerSpec {
  readonly bootstrap: string;
  readonly transactionalId: string;
  /** The topic's partition count, for a driver that picks partitions itself. */
  readonly partitions: number;
}

export interface OpenTransaction {
  /** Sends the values, no key, within the transaction; resolves once every one is acknowledged (not yet committed). */
  send(topic: string, values: readonly Buffer[]): Promise<SendAcknowledged>;
  commit(): Promise<void>;
}

export interface SendAcknowledged {
  readonly records: number;
  /** The partitions the records went to. */
  readonly partitions: readonly number[];
}

export interface TxnProducer {
  /** Begins the next transaction (the first call also initializes the producer's transactions). */
  begin(): Promise<OpenTransaction>;
  close(): Promise<void>;
}

export interface TxnDriver {
  /** How the benchmark calls the client: its API and the options that differ from its defaults. */
  readonly description: string;
  producer(spec: TxnProducerSpec): Promise<TxnProducer>;
}
