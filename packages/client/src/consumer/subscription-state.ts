// The consumer's partitions and where it is in each: Kafka's
// SubscriptionState, plus the fetched data waiting for the application.
// Two positions per partition: `position` is the next offset the application
// will be handed (what commits use); `fetchPosition` is the next offset to
// fetch, ahead of it by what is buffered. Seeking or resetting moves both and
// drops the buffer, so a response for an old fetch offset no longer matches
// and is discarded. Not shared: owned by one Consumer.
import { KafkaClientError } from '../errors/index.js';
import { partitionKey, type TopicPartition } from './assignors/assignor.js';
import type { ConsumerBatch, ConsumerRecord } from './consumer-record.js';

export type OffsetResetStrategy = 'earliest' | 'latest' | 'none';

/**
 * A batch the application is being handed record by record (records(),
 * run({ eachRecord })): the position is past the last record handed, not yet
 * past the whole batch. A seek or reset drops it, and the iteration stops.
 */
export interface RecordCursor<K, V> {
  readonly records: readonly ConsumerRecord<K, V>[];
  /** Index of the last record handed; -1 before the first. */
  index: number;
  readonly nextOffset: bigint;
  readonly nextEpoch: number;
}

/** One partition's fetched data, decoded, waiting for the application. */
export interface CompletedFetch<K, V> {
  readonly state: PartitionState<K, V>;
  readonly batch: ConsumerBatch<K, V>;
  /** The position once the application has it: past skipped control and aborted batches too. */
  readonly nextOffset: bigint;
  readonly nextEpoch: number;
  readonly bytes: number;
  /** Arrival order across partitions: the application gets the oldest first, so no partition starves. */
  readonly sequence: number;
}

export class PartitionState<K, V> {
  readonly key: string;
  /** Next offset to hand the application; null until the committed offset or a reset gives one. */
  position: bigint | null = null;
  /** Leader epoch of the batch the last handed record came in, for commits; -1 when unknown. */
  positionEpoch = -1;
  /** Next offset to fetch; null while not fetched (no position yet, or corrupt data waiting for a seek past it). */
  fetchPosition: bigint | null = null;
  /** How to find a position when there is none: the committed offset first (group), then this. */
  resetStrategy: OffsetResetStrategy | null = null;
  /** Look up the group's committed offset before resetting. */
  awaitingCommitted = false;
  paused = false;
  /** A Fetch that includes this partition is outstanding. */
  inFlight = false;
  /** After a retriable error for it alone (a stale leader), the next fetch waits until then (Date.now() ms). */
  fetchBackoffUntil = 0;
  readonly buffered: CompletedFetch<K, V>[] = [];
  cursor: RecordCursor<K, V> | null = null;
  bufferedBytes = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {
    this.key = partitionKey({ topic, partition });
  }

  get topicPartition(): TopicPartition {
    return { topic: this.topic, partition: this.partition };
  }
}

export class SubscriptionState<K, V> {
  readonly #partitions = new Map<string, PartitionState<K, V>>();

  constructor(
    /** Fetching stops for a partition while this many bytes of it wait for the application. */
    private readonly maxBufferedBytesPerPartition: number,
  ) {}

  get size(): number {
    return this.#partitions.size;
  }

  get(partition: TopicPartition): PartitionState<K, V> | undefined {
    return this.#partitions.get(partitionKey(partition));
  }

  /** Like get, but a partition not assigned is an error naming it. */
  require(partition: TopicPartition): PartitionState<K, V> {
    const state = this.get(partition);
    if (state === undefined) throw new KafkaClientError(`${partitionKey(partition)} is not assigned to this consumer`, { retriable: false });
    return state;
  }

  all(): IterableIterator<PartitionState<K, V>> {
    return this.#partitions.values();
  }

  assignment(): TopicPartition[] {
    return [...this.#partitions.values()].map((state) => state.topicPartition);
  }

  /** Replaces the assignment; partitions kept keep their positions, pause and buffer. */
  assign(partitions: readonly TopicPartition[], newState: (state: PartitionState<K, V>) => void): void {
    const wanted = new Set(partitions.map(partitionKey));
    this.remove([...this.#partitions.values()].filter((state) => !wanted.has(state.key)));
    for (const partition of partitions) this.add(partition, newState);
  }

  /** Adds a partition (no-op when assigned already) and lets `newState` give a new one its starting point. */
  add(partition: TopicPartition, newState: (state: PartitionState<K, V>) => void): PartitionState<K, V> {
    let state = this.get(partition);
    if (state === undefined) {
      state = new PartitionState<K, V>(partition.topic, partition.partition);
      this.#partitions.set(state.key, state);
      newState(state);
    }
    return state;
  }

  remove(partitions: readonly TopicPartition[]): void {
    for (const partition of partitions) {
      const state = this.get(partition);
      if (state === undefined) continue;
      state.cursor = null;
      this.#partitions.delete(state.key);
    }
  }

  /** The application continues from `offset`: what was buffered is dropped. */
  seek(state: PartitionState<K, V>, offset: bigint, epoch = -1): void {
    clearBuffer(state);
    state.cursor = null;
    state.position = offset;
    state.positionEpoch = epoch;
    state.fetchPosition = offset;
    state.resetStrategy = null;
    state.awaitingCommitted = false;
  }

  /** The position is to be found again (ListOffsets earliest/latest, or an error for 'none'). */
  requestReset(state: PartitionState<K, V>, strategy: OffsetResetStrategy): void {
    clearBuffer(state);
    state.cursor = null;
    state.position = null;
    state.fetchPosition = null;
    state.resetStrategy = strategy;
    state.awaitingCommitted = false;
  }

  /** Partitions a fetch may include now: a position, not paused, none outstanding, room in the buffer. */
  fetchable(now: number): PartitionState<K, V>[] {
    const out: PartitionState<K, V>[] = [];
    for (const state of this.#partitions.values()) {
      if (state.fetchPosition !== null && state.fetchBackoffUntil <= now && !state.paused && !state.inFlight && state.bufferedBytes < this.maxBufferedBytesPerPartition) {
        out.push(state);
      }
    }
    return out;
  }

  /** Buffers a fetch's data if it still follows on from the partition's fetch position; returns whether it did. */
  buffer(completed: CompletedFetch<K, V>, fetchOffset: bigint): boolean {
    const { state } = completed;
    if (this.#partitions.get(state.key) !== state || state.fetchPosition !== fetchOffset) return false;
    state.fetchPosition = completed.nextOffset;
    if (completed.nextOffset === fetchOffset && completed.batch.records.length === 0) return false;
    state.buffered.push(completed);
    state.bufferedBytes += completed.bytes;
    return true;
  }

  /** The oldest buffered fetch of an unpaused partition, removed from its buffer; undefined if none. */
  takeNext(): CompletedFetch<K, V> | undefined {
    let oldest: PartitionState<K, V> | undefined;
    for (const state of this.#partitions.values()) {
      if (state.paused || state.buffered.length === 0) continue;
      if (oldest === undefined || state.buffered[0]!.sequence < oldest.buffered[0]!.sequence) oldest = state;
    }
    if (oldest === undefined) return undefined;
    const completed = oldest.buffered.shift()!;
    oldest.bufferedBytes -= completed.bytes;
    return completed;
  }
}

/** The next offset after what the application was handed, and its leader epoch; null without a position. */
export function consumedPosition<K, V>(state: PartitionState<K, V>): { offset: bigint; leaderEpoch: number } | null {
  const cursor = state.cursor;
  if (cursor !== null && cursor.index >= 0) {
    if (cursor.index >= cursor.records.length - 1) return { offset: cursor.nextOffset, leaderEpoch: cursor.nextEpoch };
    const record = cursor.records[cursor.index]!;
    return { offset: record.offset + 1n, leaderEpoch: record.leaderEpoch };
  }
  return state.position === null ? null : { offset: state.position, leaderEpoch: state.positionEpoch };
}

function clearBuffer<K, V>(state: PartitionState<K, V>): void {
  state.buffered.length = 0;
  state.bufferedBytes = 0;
}
