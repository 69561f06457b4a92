// Positions for partitions that have none: the group's committed offset
// (manual assignment with a groupId; a group member's partitions come with
// theirs), then autoOffsetReset by ListOffsets earliest/latest. 'none' is
// left for the consumer's poll to report.
import type { ClusterClient } from '../cluster/index.js';
import type { KafkaClientError } from '../errors/index.js';
import type { TopicPartition } from './assignors/assignor.js';
import { clientErrorOf } from './client-error-of.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, lookUpOffsets } from './offset-lookup.js';
import type { OffsetResetStrategy, SubscriptionState } from './subscription-state.js';

export interface PositionFinderEvents {
  failed(error: KafkaClientError): void;
  retryAt(atMs: number): void;
}

export class PositionFinder<K, V> {
  #backoffUntil = 0;

  constructor(
    private readonly cluster: ClusterClient,
    private readonly subscriptions: SubscriptionState<K, V>,
    private readonly options: { autoOffsetReset: OffsetResetStrategy; readCommitted: boolean },
    private readonly committedOffsets: (partitions: readonly TopicPartition[]) => Promise<Map<string, bigint | null>>,
    private readonly events: PositionFinderEvents,
  ) {}

  async findPositions(): Promise<void> {
    if (Date.now() < this.#backoffUntil) return;
    try {
      await this.#find();
    } catch (error) {
      this.#failed([clientErrorOf(error)]);
    }
  }

  /** Failures wait out a backoff (the slowest for one a retry cannot fix) before the next attempt; those the application must see go to it. */
  #failed(errors: readonly KafkaClientError[]): void {
    const fatal = errors.find((error) => !error.retriable);
    this.#backoffUntil = Date.now() + (fatal === undefined ? this.cluster.options.retryBackoffMs : this.cluster.options.retryBackoffMaxMs);
    this.events.retryAt(this.#backoffUntil);
    if (fatal !== undefined) this.events.failed(fatal);
  }

  async #find(): Promise<void> {
    const states = [...this.subscriptions.all()].filter((state) => state.position === null);
    if (states.length === 0) return;
    const awaitingCommitted = states.filter((state) => state.awaitingCommitted);
    if (awaitingCommitted.length > 0) {
      const committed = await this.committedOffsets(awaitingCommitted.map((state) => state.topicPartition));
      for (const state of awaitingCommitted) {
        // A seek while OffsetFetch was out wins.
        if (this.subscriptions.get(state) !== state || !state.awaitingCommitted) continue;
        state.awaitingCommitted = false;
        const offset = committed.get(state.key) ?? null;
        if (offset !== null && offset >= 0n) this.subscriptions.seek(state, offset);
        else state.resetStrategy = this.options.autoOffsetReset;
      }
    }
    const resets = states.filter((state) => state.position === null && (state.resetStrategy === 'earliest' || state.resetStrategy === 'latest'));
    if (resets.length === 0) return;
    const asked = new Map(resets.map((state) => [state.key, state.resetStrategy]));
    const lookup = await lookUpOffsets(
      this.cluster,
      resets.map((state) => ({ ...state.topicPartition, timestamp: state.resetStrategy === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP })),
      this.options.readCommitted,
    );
    for (const found of lookup.found) {
      const state = this.subscriptions.get(found);
      // Only if nothing (a seek, another reset) moved it while ListOffsets was out.
      if (state !== undefined && state.position === null && state.resetStrategy === asked.get(state.key)) {
        this.subscriptions.seek(state, found.offset, found.leaderEpoch);
      }
    }
    if (lookup.failed.length > 0) this.#failed(lookup.failed.map(({ error }) => error));
  }
}
