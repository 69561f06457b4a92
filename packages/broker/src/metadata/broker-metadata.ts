import { brokerConfigLayers, effectiveTopicConfigs, MetadataState, resolveBrokerConfig } from '@kstream/metadata';
import type { BrokerConfigLayers, BrokerConfigProps, BrokerConfigValues, BrokerRegistration, MetadataRecord, PartitionState, TopicMetadata } from '@kstream/metadata';

/** What changed in a broker's metadata cache, told to its listeners once the records are applied. */
export interface MetadataChange {
  /**
   * 'snapshot': the cache was rebuilt from these records (on registration),
   * so a listener reconciles with the whole state rather than the delta.
   */
  readonly kind: 'snapshot' | 'delta';
  readonly records: readonly MetadataRecord[];
  /** The metadata log offset the cache now reflects. */
  readonly appliedOffset: number;
}

export type MetadataListener = (change: MetadataChange, metadata: BrokerMetadata) => void;

/** The metadata cache did not reach an offset in time: the controller's change is not visible here yet. */
export class MetadataWaitTimeoutError extends Error {
  override readonly name = 'MetadataWaitTimeoutError';
}

interface OffsetWaiter {
  readonly offset: number;
  readonly resolve: () => void;
}

/**
 * A broker's replica of the cluster metadata, as in KRaft: the controller's
 * own MetadataState, fed the snapshot a registration returns and every record
 * batch the controller pushes afterwards, so broker and controller agree on
 * what each record means. Not thread-safe; owned by the broker worker's loop.
 */
export class BrokerMetadata {
  readonly brokerId: number;
  /** The node's static broker config: the layer under the dynamic configs metadata carries. */
  readonly staticConfig: BrokerConfigProps;
  #state = new MetadataState();
  #brokerConfig: BrokerConfigValues | undefined;
  /** Offset of the last record applied; -1 until the first snapshot. */
  #appliedOffset = -1;
  readonly #waiters = new Set<OffsetWaiter>();
  readonly #listeners = new Set<MetadataListener>();

  constructor(brokerId: number, staticConfig: BrokerConfigProps) {
    this.brokerId = brokerId;
    this.staticConfig = staticConfig;
  }

  get state(): MetadataState {
    return this.#state;
  }

  get appliedOffset(): number {
    return this.#appliedOffset;
  }

  get clusterId(): string | undefined {
    return this.#state.clusterId;
  }

  /** Brokers registered and not fenced, by id. */
  liveBrokers(): BrokerRegistration[] {
    return [...this.#state.brokers.values()].filter((b) => !b.fenced).sort((a, b) => a.brokerId - b.brokerId);
  }

  isLive(brokerId: number): boolean {
    const broker = this.#state.broker(brokerId);
    return broker !== undefined && !broker.fenced;
  }

  topicByName(name: string): TopicMetadata | undefined {
    return this.#state.topicByName(name);
  }

  topicById(topicId: string): TopicMetadata | undefined {
    return this.#state.topicById(topicId);
  }

  partition(topic: string, partition: number): PartitionState | undefined {
    return this.#state.partition(topic, partition);
  }

  /** The leader of a partition; undefined when the partition does not exist, -1 when it has no leader. */
  leaderFor(topic: string, partition: number): number | undefined {
    return this.#state.partition(topic, partition)?.leader;
  }

  /** This broker's configs in force: its dynamic ones, then the cluster-wide dynamic ones, then the static ones, then defaults. */
  get brokerConfig(): BrokerConfigValues {
    this.#brokerConfig ??= resolveBrokerConfig(this.#state.configs('broker', String(this.brokerId)), this.#state.configs('broker', ''), this.staticConfig);
    return this.#brokerConfig;
  }

  /** The broker config layers of broker `brokerId`, or of the cluster-wide default resource when undefined. */
  brokerConfigLayers(brokerId?: number): BrokerConfigLayers {
    return brokerConfigLayers(this.#state, this.staticConfig, brokerId);
  }

  /**
   * A topic's effective configs by key (its own, else the broker synonyms',
   * else the defaults), as its log and limits run with them; undefined for
   * an unknown topic.
   */
  topicConfigs(topic: string): Record<string, string> | undefined {
    if (this.#state.topicByName(topic) === undefined) return undefined;
    return effectiveTopicConfigs(this.#state.configs('topic', topic), this.brokerConfigLayers(this.brokerId));
  }

  /** Replaces the whole cache with the state `records` rebuild, as of `lastOffset`. */
  loadSnapshot(records: readonly MetadataRecord[], lastOffset: number): void {
    const state = new MetadataState();
    for (const record of records) state.apply(record);
    this.#state = state;
    this.#appliedOffset = lastOffset;
    this.#changed({ kind: 'snapshot', records, appliedOffset: lastOffset });
  }

  /**
   * Applies a pushed batch whose last record has offset `lastOffset`. Records
   * the cache already holds (a push that crossed a snapshot) are skipped.
   * Returns false, applying nothing, when the batch starts past the next
   * offset: records are missing and only a new snapshot can fill the gap.
   */
  applyUpdate(records: readonly MetadataRecord[], lastOffset: number): boolean {
    const firstOffset = lastOffset - records.length + 1;
    if (firstOffset > this.#appliedOffset + 1) return false;
    const fresh = records.slice(this.#appliedOffset + 1 - firstOffset);
    if (fresh.length === 0) return true;
    for (const record of fresh) this.#state.apply(record);
    this.#appliedOffset = lastOffset;
    this.#changed({ kind: 'delta', records: fresh, appliedOffset: lastOffset });
    return true;
  }

  /**
   * Resolves once the cache has applied `offset`, so a reply sent after it
   * shows the change; rejects after `timeoutMs`, naming both offsets.
   */
  waitForOffset(offset: number, timeoutMs: number): Promise<void> {
    if (this.#appliedOffset >= offset) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: OffsetWaiter = {
        offset,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new MetadataWaitTimeoutError(`metadata offset ${offset} not applied within ${timeoutMs} ms (applied: ${this.#appliedOffset})`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Calls `listener` after every applied change; returns the unsubscribe. */
  onChange(listener: MetadataListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(change: MetadataChange): void {
    if (change.kind === 'snapshot' || change.records.some((r) => r.type === 'Config' && r.resourceType === 'broker')) {
      this.#brokerConfig = undefined;
    }
    for (const waiter of this.#waiters) {
      if (waiter.offset <= this.#appliedOffset) {
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
    for (const listener of this.#listeners) listener(change, this);
  }
}
