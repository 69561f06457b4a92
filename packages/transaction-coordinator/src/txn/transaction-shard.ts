import type { TransactionMetadata } from './transaction-metadata.js';

export type ShardState = 'loading' | 'active' | 'unloaded';

/**
 * The coordinator of one __transaction_state partition this broker leads:
 * the metadata of its transactional ids, as loaded from the partition and
 * changed by the writes made since. `coordinatorEpoch` is the partition's
 * leader epoch when it was elected; it goes into every marker, and a write or
 * marker round begun under one shard never applies to another. Owned by the
 * broker's loop.
 */
export class TransactionShard {
  state: ShardState = 'loading';
  readonly transactions = new Map<string, TransactionMetadata>();
  /** The handles of its periodic checks: timed-out transactions, expired transactional ids. */
  abortTimer: unknown = undefined;
  expiryTimer: unknown = undefined;

  constructor(
    readonly partition: number,
    readonly coordinatorEpoch: number,
  ) {}

  get active(): boolean {
    return this.state === 'active';
  }
}
