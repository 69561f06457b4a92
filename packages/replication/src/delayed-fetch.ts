/**
 * A fetch waiting for data (Kafka's DelayedFetch): it watches its partitions
 * from before its first read, so bytes that arrive while it reads are
 * counted, and completes once `fetch.min.bytes` have arrived, when
 * `fetch.max.wait.ms` runs out (its one timer), or when one of its partitions
 * changes under it (deleted, leadership moved). It also notes the partitions
 * whose offsets moved without waking it (`moved`), so a fetch whose time ran
 * out with nothing else happening need read again only those.
 */
export class DelayedFetch {
  /** Bytes that became readable on the watched partitions since the watch began. */
  arrivedBytes = 0;
  /** The watched partitions whose offsets moved (offsetsMoved) since the watch began, if any did. */
  moved: Set<string> | undefined;
  #needed = Number.POSITIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #done = false;
  #timedOut = false;
  #resolve: (() => void) | undefined;
  readonly #completed: Promise<void>;

  constructor(
    readonly keys: readonly string[],
    private readonly onDone: (fetch: DelayedFetch) => void,
    /** A read_committed fetch counts only bytes below the last stable offset. */
    readonly readCommitted = false,
  ) {
    this.#completed = new Promise((resolve) => (this.#resolve = resolve));
  }

  get done(): boolean {
    return this.#done;
  }

  /** Whether the wait ended by its timer: no bytes enough, no partition change, no completion from outside came first. */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  /** Waits until `neededBytes` have arrived (counting those already) or `maxWaitMs` passes. */
  wait(neededBytes: number, maxWaitMs: number): Promise<void> {
    this.#needed = neededBytes;
    if (!this.#done && this.arrivedBytes >= neededBytes) this.complete();
    if (!this.#done) {
      this.#timer = setTimeout(() => {
        this.#timedOut = true;
        this.complete();
      }, maxWaitMs);
    }
    return this.#completed;
  }

  dataArrived(bytes: number): void {
    this.arrivedBytes += bytes;
    if (this.arrivedBytes >= this.#needed) this.complete();
  }

  offsetsMoved(key: string): void {
    (this.moved ??= new Set()).add(key);
  }

  complete(): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#timer);
    this.onDone(this);
    this.#resolve!();
  }
}

/**
 * The fetches parked on each partition (Kafka's fetch purgatory), keyed by
 * `topic-partition`. Appends wake them through `dataArrived` (read_committed
 * ones with the bytes below the last stable offset); partition changes
 * through `partitionChanged`; `offsetsMoved` only notes the partition on
 * them. Not thread-safe; owned by the broker loop.
 */
export class DelayedFetchPurgatory {
  readonly #watchers = new Map<string, Set<DelayedFetch>>();

  /** Starts watching `keys`; call `wait` on the result, or `complete` to stop watching. */
  watch(keys: readonly string[], readCommitted = false): DelayedFetch {
    const fetch = new DelayedFetch(keys, (done) => this.unwatch(done), readCommitted);
    for (const key of keys) {
      let set = this.#watchers.get(key);
      if (set === undefined) this.#watchers.set(key, (set = new Set()));
      set.add(fetch);
    }
    return fetch;
  }

  /** How many fetches watch a partition (for tests and metrics). */
  watching(key: string): number {
    return this.#watchers.get(key)?.size ?? 0;
  }

  /** `bytes` became readable on `key`, `stableBytes` of them (default all) below its last stable offset. */
  dataArrived(key: string, bytes: number, stableBytes = bytes): void {
    const set = this.#watchers.get(key);
    if (set === undefined) return;
    for (const fetch of [...set]) {
      const arrived = fetch.readCommitted ? stableBytes : bytes;
      if (arrived > 0) fetch.dataArrived(arrived);
    }
  }

  /** `key`'s offsets moved (its high watermark) with no bytes for these fetches: noted on each, none woken. */
  offsetsMoved(key: string): void {
    const set = this.#watchers.get(key);
    if (set === undefined) return;
    for (const fetch of set) fetch.offsetsMoved(key);
  }

  partitionChanged(key: string): void {
    const set = this.#watchers.get(key);
    if (set === undefined) return;
    for (const fetch of [...set]) fetch.complete();
  }

  /** Completes every parked fetch (shutdown). */
  completeAll(): void {
    for (const set of [...this.#watchers.values()]) for (const fetch of [...set]) fetch.complete();
  }

  private unwatch(fetch: DelayedFetch): void {
    for (const key of fetch.keys) {
      const set = this.#watchers.get(key);
      if (set === undefined) continue;
      set.delete(fetch);
      if (set.size === 0) this.#watchers.delete(key);
    }
  }
}
