import type { Logger } from '@kstream/log-storage';
import { ErrorCode } from '@kstream/protocol';
import type { TransactionCoordinatorConfig, TransactionLog } from '../coordinator-types.js';
import { loadTransactionLogPartition } from '../records/index.js';
import { TransactionMetadata } from './transaction-metadata.js';
import { coordinatorPartition } from './transaction-partition.js';
import { TransactionShard } from './transaction-shard.js';

export interface TransactionShardsDeps {
  readonly log: TransactionLog;
  readonly config: () => TransactionCoordinatorConfig;
  readonly transactionTopicPartitionCount: () => number;
  readonly clock: () => number;
  readonly logger: Logger;
  /** A shard finished loading and serves its ids from now on (its unfinished commits and aborts are resumed here). */
  readonly onActivated: (shard: TransactionShard) => void;
  /** A shard is dropped: its timers and marker rounds must stop. */
  readonly onUnloaded: (shard: TransactionShard) => void;
}

/** Where a transactional id's requests go: its shard, or the error that answers them instead. */
export type Routed = { readonly shard: TransactionShard } | { readonly errorCode: number };

/**
 * The __transaction_state partitions this broker leads (Kafka's
 * TransactionStateManager cache), each a shard that is loading or active. An
 * election reloads the partition from its log start to the log end offset it
 * had when elected — also when already leading it at an older epoch, as
 * Kafka does, so marker rounds of the old epoch stop and unfinished
 * transactions are resumed under the new one. A resignation, or an election
 * at a newer epoch, discards a load in progress. Owned by the broker's loop.
 */
export class TransactionShards {
  private readonly shards = new Map<number, TransactionShard>();

  constructor(private readonly deps: TransactionShardsDeps) {}

  onElection(partition: number, coordinatorEpoch: number): void {
    const current = this.shards.get(partition);
    if (current !== undefined && coordinatorEpoch <= current.coordinatorEpoch) return;
    if (current !== undefined) this.unload(current);
    const shard = new TransactionShard(partition, coordinatorEpoch);
    this.shards.set(partition, shard);
    void this.load(shard);
  }

  /** `coordinatorEpoch` older than the shard's is a stale notice and ignored; undefined drops it whatever its epoch. */
  onResignation(partition: number, coordinatorEpoch?: number): void {
    const shard = this.shards.get(partition);
    if (shard === undefined || (coordinatorEpoch !== undefined && coordinatorEpoch < shard.coordinatorEpoch)) return;
    this.unload(shard);
  }

  partitionFor(transactionalId: string): number {
    return coordinatorPartition(transactionalId, this.deps.transactionTopicPartitionCount());
  }

  /** The shard that serves `transactionalId`, or NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS. */
  route(transactionalId: string): Routed {
    const shard = this.shards.get(this.partitionFor(transactionalId));
    if (shard === undefined) return { errorCode: ErrorCode.NOT_COORDINATOR };
    if (!shard.active) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS };
    return { shard };
  }

  /** Whether `shard` still serves: a write or marker round begun under it may go on. */
  owns(shard: TransactionShard): boolean {
    return shard.active && this.shards.get(shard.partition) === shard;
  }

  active(): TransactionShard[] {
    return [...this.shards.values()].filter((shard) => shard.active);
  }

  anyLoading(): boolean {
    return [...this.shards.values()].some((shard) => shard.state === 'loading');
  }

  unloadAll(): void {
    for (const shard of [...this.shards.values()]) this.unload(shard);
  }

  private unload(shard: TransactionShard): void {
    const wasActive = shard.active;
    shard.state = 'unloaded';
    if (this.shards.get(shard.partition) === shard) this.shards.delete(shard.partition);
    this.deps.onUnloaded(shard);
    if (wasActive) {
      this.deps.logger.info('transaction coordinator: unloaded __transaction_state partition', {
        partition: shard.partition,
        coordinatorEpoch: shard.coordinatorEpoch,
        transactionalIds: shard.transactions.size,
      });
    }
    shard.transactions.clear();
  }

  private async load(shard: TransactionShard): Promise<void> {
    const { log, logger } = this.deps;
    const started = this.deps.clock();
    const from = log.logStartOffset(shard.partition);
    const to = log.logEndOffset(shard.partition);
    try {
      if (from === undefined || to === undefined) throw new Error(`__transaction_state-${shard.partition} is not led by this broker`);
      const loaded = await loadTransactionLogPartition(
        (offset, maxBytes) => log.read(shard.partition, offset, maxBytes),
        from,
        to,
        this.deps.config().loadBufferSize,
        shard.partition,
      );
      if (shard.state !== 'loading') return;
      for (const [transactionalId, value] of loaded) shard.transactions.set(transactionalId, TransactionMetadata.fromLog(transactionalId, value));
      shard.state = 'active';
      logger.info('transaction coordinator: loaded __transaction_state partition', {
        partition: shard.partition,
        coordinatorEpoch: shard.coordinatorEpoch,
        fromOffset: from,
        toOffset: to,
        transactionalIds: shard.transactions.size,
        ms: this.deps.clock() - started,
      });
      this.deps.onActivated(shard);
    } catch (error) {
      if (shard.state !== 'loading') return;
      logger.error('transaction coordinator: loading a __transaction_state partition failed; its transactional ids get NOT_COORDINATOR', {
        partition: shard.partition,
        coordinatorEpoch: shard.coordinatorEpoch,
        error: error instanceof Error ? error.message : String(error),
      });
      this.unload(shard);
    }
  }
}
