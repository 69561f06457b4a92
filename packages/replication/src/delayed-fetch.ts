/** How a fetch watches its partitions (DelayedFetchPurgatory.watch). */
export interface WatchOptions {
  /** A read_committed fetch counts only bytes below the last stable offset. */
  readonly readCommitted?: boolean;
  /** Note which partitions have news while it waits (DelayedFetch.changed), for a reader that reads again only those. */
  readonly notingChanges?: boolean;
}

/**
 * A fetch waiting for data (Kafka's DelayedFetch): it watches its partitions
 * from before its first read, so bytes that arrive while it reads are
 * counted, and completes once `fetch.min.bytes` have arrived, when
 * `fetch.max.wait.ms` runs out (its one timer), or when one of its partitions
 * changes under it (deleted, leadership moved). Asked to (a follower's
 * fetch), it notes which partitions had news while it watched (`changed`),
 * so what ends its wait need read again only those.
 */
export class DelayedFetch {
  /** Bytes that became readable on the watched partitions since the watch began. */
  arrivedBytes = 0;
  #changed: Set<string> | undefined;
  #completedFromOutside = false;
  #needed = Number.POSITIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #done = false;
  #resolve: (() => void) | undefined;
  readonly #completed: Promise<void>;

  /** A read_committed fetch counts only bytes below the last stable offset. */
  readonly readCommitted: boolean;
  readonly #notingChanges: boolean;

  constructor(
    readonly keys: readonly string[],
    private readonly onDone: (fetch: DelayedFetch) => void,
    options: WatchOptions = {},
  ) {
    this.readCommitted = options.readCommitted ?? false;
    this.#notingChanges = options.notingChanges ?? false;
    this.#completed = new Promise((resolve) => (this.#resolve = resolve));
  }

  get done(): boolean {
    return this.#done;
  }

  /**
   * The watched partitions that had an append, a change or a high watermark
   * move since the watch began (empty if none did); undefined if the fetch
   * notes none (not asked to) or was completed from outside (`complete`: a
   * shutdown), for no partition's reason: then any of them may have news.
   */
  get changed(): ReadonlySet<string> | undefined {
    return !this.#notingChanges || this.#completedFromOutside ? undefined : (this.#changed ?? NONE);
  }

  /** Waits until `neededBytes` have arrived (counting those already) or `maxWaitMs` passes. */
  wait(neededBytes: number, maxWaitMs: number): Promise<void> {
    this.#needed = neededBytes;
    if (!this.#done && this.arrivedBytes >= neededBytes) this.#finish();
    if (!this.#done) this.#timer = setTimeout(() => this.#finish(), maxWaitMs);
    return this.#completed;
  }

  /** `bytes` became readable on `key`; the fetch completes once it has the bytes it waits for. */
  dataArrived(key: string, bytes: number): void {
    this.#note(key);
    this.arrivedBytes += bytes;
    if (this.arrivedBytes >= this.#needed) this.#finish();
  }

  /** `key`'s offsets moved with no bytes for this fetch: noted, the wait goes on. */
  offsetsMoved(key: string): void {
    this.#note(key);
  }

  /** `key` changed under the fetch (deleted, leadership moved): it completes now. */
  partitionChanged(key: string): void {
    this.#note(key);
    this.#finish();
  }

  /** Completes the fetch now, for a reason of no one partition's: every partition may have news. */
  complete(): void {
    if (!this.#done) this.#completedFromOutside = true;
    this.#finish();
  }

  #note(key: string): void {
    if (this.#notingChanges && !this.#done) (this.#changed ??= new Set()).add(key);
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#timer);
    this.onDone(this);
    this.#resolve!();
  }
}

const NONE: ReadonlySet<string> = new Set();

/**
 * The fetches parked on each partition (Kafka's fetch purgatory), keyed by
 * `topic-partition`. Appends wake them through `dataArrived` (read_committed
 * ones with the bytes below the last stable offset); partition changes
 * through `partitionChanged`; `offsetsMoved` only notes the partition on
 * them (see DelayedFetch.changed). Not thread-safe; owned by the broker loop.
 */
export class DelayedFetchPurgatory {
  readonly #watchers = new Map<string, Set<DelayedFetch>>();

  /** Starts watching `keys`; call `wait` on the result, or `complete` to stop watching. */
  watch(keys: readonly string[], options: WatchOptions = {}): DelayedFetch {
    const fetch = new DelayedFetch(keys, (done) => this.unwatch(done), options);
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
      if (arrived > 0) fetch.dataArrived(key, arrived);
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
    for (const fetch of [...set]) fetch.partitionChanged(key);
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
