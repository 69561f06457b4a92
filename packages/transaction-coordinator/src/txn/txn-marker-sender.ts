import type { Logger } from '@kstream/log-storage';
import { ErrorCode } from '@kstream/protocol';
import type { CoordinatorTimers, TopicPartitionRef, TxnMarkerEntry, TxnMarkerResult, TxnMarkerWriter } from '../coordinator-types.js';
import { TransactionState } from '../records/index.js';
import { isExpectedMarkerRetry, markerOutcome } from './marker-results.js';
import { partitionKey, type TransactionMetadata, type TxnTransit } from './transaction-metadata.js';
import type { TransactionShard } from './transaction-shard.js';
import type { TransitionWriter } from './transition-writer.js';

/** The first retry's backoff (Kafka's retry.backoff.ms), doubled per retry up to MAX_RETRY_BACKOFF_MS. */
const RETRY_BACKOFF_MS = 100;
const MAX_RETRY_BACKOFF_MS = 1000;

export interface TxnMarkerSenderDeps {
  readonly markers: TxnMarkerWriter;
  readonly writer: TransitionWriter;
  readonly partitionExists: (topic: string, partition: number) => boolean;
  readonly timers: CoordinatorTimers;
  readonly logger: Logger;
}

/**
 * Ends transactions whose PrepareCommit or PrepareAbort is written (Kafka's
 * TransactionMarkerChannelManager): writes the marker to every partition of
 * the transaction through the broker's TxnMarkerWriter, retrying what is
 * retriable with a backoff, dropping deleted partitions; each partition
 * written leaves the metadata's partitions. Then writes CompleteCommit or
 * CompleteAbort, retrying COORDINATOR_NOT_AVAILABLE. A round stops when its
 * shard no longer serves (resignation, newer election) or the coordinator
 * closes; the next coordinator of the partition resumes it from the log.
 */
export class TxnMarkerSender {
  private readonly sleeping = new Set<unknown>();
  private closed = false;

  constructor(private readonly deps: TxnMarkerSenderDeps) {}

  /** Sends the markers of `metadata`'s prepared transaction, then writes `complete` (its pending Complete* transit). Never rejects. */
  async complete(shard: TransactionShard, metadata: TransactionMetadata, complete: TxnTransit): Promise<void> {
    const { logger } = this.deps;
    const commit = complete.state === TransactionState.CompleteCommit;
    const entry = { producerId: metadata.producerId, producerEpoch: metadata.producerEpoch, coordinatorEpoch: shard.coordinatorEpoch, commit };
    const context = { transactionalId: metadata.transactionalId, ...entry };
    try {
      for (let attempt = 0; ; attempt++) {
        if (!this.serving(shard, metadata)) return;
        this.dropDeletedPartitions(metadata);
        const partitions = metadata.partitionList();
        if (partitions.length === 0) break;
        const results = await this.write({ ...entry, partitions }, context);
        if (!this.serving(shard, metadata)) return;
        if (this.apply(metadata, partitions, results, context) === 'fenced') return;
        if (metadata.topicPartitions.size > 0) await this.sleep(backoff(attempt));
      }
      for (let attempt = 0; ; attempt++) {
        const error = await this.deps.writer.write(shard, metadata, complete, (code) => code === ErrorCode.COORDINATOR_NOT_AVAILABLE);
        if (error === ErrorCode.NONE) return;
        if (error !== ErrorCode.COORDINATOR_NOT_AVAILABLE || !this.serving(shard, metadata)) {
          logger.warn('transaction coordinator: writing the end of a transaction failed; the next coordinator of the partition completes it', {
            ...context,
            errorCode: error,
          });
          return;
        }
        await this.sleep(backoff(attempt));
      }
    } catch (error) {
      logger.error('transaction coordinator: ending a transaction failed', { ...context, error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Stops every round: no more markers, retries or writes. */
  close(): void {
    this.closed = true;
    for (const handle of this.sleeping) this.deps.timers.clearTimeout(handle);
    this.sleeping.clear();
  }

  private serving(shard: TransactionShard, metadata: TransactionMetadata): boolean {
    return !this.closed && this.deps.writer.holds(shard, metadata);
  }

  private dropDeletedPartitions(metadata: TransactionMetadata): void {
    for (const partition of metadata.partitionList()) {
      if (this.deps.partitionExists(partition.topic, partition.partition)) continue;
      metadata.removePartition(partition);
      this.deps.logger.warn('transaction coordinator: no marker for a deleted partition', {
        transactionalId: metadata.transactionalId,
        topic: partition.topic,
        partition: partition.partition,
      });
    }
  }

  /** Removes the partitions written or dropped; 'fenced' when a partition knows a newer producer epoch or coordinator. */
  private apply(
    metadata: TransactionMetadata,
    sent: readonly TopicPartitionRef[],
    results: readonly { topic: string; partition: number; errorCode: number }[],
    context: object,
  ): 'fenced' | 'continue' {
    const asked = new Set(sent.map(partitionKey));
    for (const result of results) {
      if (!asked.has(partitionKey(result))) continue;
      const outcome = markerOutcome(result.errorCode, this.deps.partitionExists(result.topic, result.partition));
      if (outcome === 'written' || outcome === 'dropped') {
        if (outcome === 'dropped') {
          this.deps.logger.warn('transaction coordinator: marker dropped', { ...context, topic: result.topic, partition: result.partition, errorCode: result.errorCode });
        }
        metadata.removePartition(result);
      } else if (outcome === 'fenced') {
        this.deps.logger.warn('transaction coordinator: a partition refused the marker as stale; this coordinator stops ending the transaction', {
          ...context,
          topic: result.topic,
          partition: result.partition,
          errorCode: result.errorCode,
        });
        return 'fenced';
      } else if (!isExpectedMarkerRetry(result.errorCode)) {
        this.deps.logger.error('transaction coordinator: unexpected marker error; retrying', {
          ...context,
          topic: result.topic,
          partition: result.partition,
          errorCode: result.errorCode,
        });
      }
    }
    return 'continue';
  }

  /** The writer's answers; should it break its promise never to reject, every partition is retried. */
  private async write(entry: TxnMarkerEntry, context: object): Promise<TxnMarkerResult[]> {
    try {
      return await this.deps.markers.write(entry);
    } catch (error) {
      this.deps.logger.error('transaction coordinator: the marker writer failed; retrying', { ...context, error: error instanceof Error ? error.message : String(error) });
      return [];
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.deps.timers.setTimeout(() => {
        this.sleeping.delete(handle);
        resolve();
      }, ms);
      this.sleeping.add(handle);
    });
  }
}

function backoff(attempt: number): number {
  return Math.min(RETRY_BACKOFF_MS * 2 ** Math.min(attempt, 10), MAX_RETRY_BACKOFF_MS);
}
