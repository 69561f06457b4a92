import type { Logger } from '@kstream/actor';
import type { AlterPartitionItem, AlterPartitionReply, AlterPartitionRequest, AlterPartitionResult } from '@kstream/metadata';
import { ErrorCode } from '@kstream/protocol';

/** Where a broker's AlterPartition requests go: the controller, over the broker's channel, within a timeout. */
export type SendAlterPartition = (request: AlterPartitionRequest) => Promise<AlterPartitionReply>;

export interface AlterPartitionManagerOptions {
  readonly brokerId: number;
  /** The broker's current registration epoch, read at each send. */
  readonly brokerEpoch: () => number;
  readonly send: SendAlterPartition;
  /** The wait before a request that failed as a whole (timeout, a closed channel, STALE_BROKER_EPOCH) is sent again. */
  readonly retryBackoffMs: number;
  readonly logger: Logger;
}

interface Submission {
  readonly item: AlterPartitionItem;
  /** True once metadata brought a newer partition epoch: the change is dropped unsent. */
  readonly isStale: () => boolean;
  readonly resolve: (result: AlterPartitionResult | undefined) => void;
}

/**
 * Sends the ISR changes of the partitions this broker leads to the controller
 * (Kafka's AlterPartitionManager): changes submitted while a request is in
 * flight wait and go together in the next one, so there is one request in
 * flight at a time; a request that fails as a whole is retried after
 * `retryBackoffMs`, without the changes that went stale meanwhile. Each
 * submission resolves with its partition's result, or undefined when it was
 * dropped (stale, or the manager closed). A partition submits one change at a
 * time (Partition's pending ISR state). Not thread-safe; owned by the broker loop.
 */
export class AlterPartitionManager {
  readonly #options: AlterPartitionManagerOptions;
  readonly #queued = new Map<string, Submission>();
  #inFlight = false;
  #scheduled: NodeJS.Immediate | NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: AlterPartitionManagerOptions) {
    this.#options = options;
  }

  submit(item: AlterPartitionItem, isStale: () => boolean): Promise<AlterPartitionResult | undefined> {
    if (this.#closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const key = keyOf(item);
      this.#queued.get(key)?.resolve(undefined);
      this.#queued.set(key, { item, isStale, resolve });
      if (!this.#inFlight && this.#scheduled === undefined) this.#scheduled = setImmediate(() => this.#sendQueued());
    });
  }

  /** Drops what waits; a request in flight is answered but its results are dropped. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#scheduled as NodeJS.Timeout);
    clearImmediate(this.#scheduled as NodeJS.Immediate);
    for (const submission of this.#queued.values()) submission.resolve(undefined);
    this.#queued.clear();
  }

  async #sendQueued(): Promise<void> {
    this.#scheduled = undefined;
    const batch: Submission[] = [];
    for (const submission of this.#queued.values()) {
      if (submission.isStale()) submission.resolve(undefined);
      else batch.push(submission);
    }
    this.#queued.clear();
    if (batch.length === 0 || this.#closed) return;
    this.#inFlight = true;
    const { brokerId, brokerEpoch, send, logger } = this.#options;
    let retry = false;
    try {
      const reply = await send({ type: 'AlterPartition', brokerId, brokerEpoch: brokerEpoch(), partitions: batch.map((s) => s.item) });
      if (reply.errorCode !== ErrorCode.NONE) {
        logger.warn(`broker ${brokerId}: the controller refused AlterPartition (error ${reply.errorCode}); retrying`, { partitions: batch.length });
        retry = true;
      } else {
        const results = new Map(reply.partitions.map((r) => [keyOf(r), r]));
        for (const submission of batch) submission.resolve(results.get(keyOf(submission.item)));
      }
    } catch (error) {
      logger.warn(`broker ${brokerId}: AlterPartition to the controller failed; retrying`, { partitions: batch.length, error });
      retry = true;
    }
    this.#inFlight = false;
    if (retry) {
      // A newer submission for the same partition replaces the retried one.
      for (const submission of batch) {
        if (this.#closed || this.#queued.has(keyOf(submission.item))) submission.resolve(undefined);
        else this.#queued.set(keyOf(submission.item), submission);
      }
    }
    if (this.#closed || this.#queued.size === 0) return;
    this.#scheduled = retry ? setTimeout(() => void this.#sendQueued(), this.#options.retryBackoffMs) : setImmediate(() => void this.#sendQueued());
  }
}

function keyOf(p: { topicId: string; partition: number }): string {
  return `${p.topicId}:${p.partition}`;
}
