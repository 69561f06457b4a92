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

/** How often DelayedFetchPurgatory drops the watcher lists of partitions no fetch watches. */
export const EMPTY_LISTS_SWEPT_EVERY_MS = 60_000;

/**
 * The fetches parked on each partition (Kafka's fetch purgatory), keyed by
 * `topic-partition`. Appends wake them through `dataArrived` (read_committed
 * ones with the bytes below the last stable offset); partition changes
 * through `partitionChanged`; `offsetsMoved` only notes the partition on
 * them (see DelayedFetch.changed). Not thread-safe; owned by the broker loop.
 */
export class DelayedFetchPurgatory {
  readonly #watchers = new Map<string, DelayedFetch[]>();
  readonly #clock: () => number;
  #sweptAt: number;

  /** `clock` in milliseconds, for the sweep of empty lists (performance.now by default). */
  constructor(options: { readonly clock?: () => number } = {}) {
    this.#clock = options.clock ?? (() => performance.now());
    this.#sweptAt = this.#clock();
  }

  /** Starts watching `keys`; call `wait` on the result, or `complete` to stop watching. */
  watch(keys: readonly string[], options: WatchOptions = {}): DelayedFetch {
    const fetch = new DelayedFetch(keys, (done) => this.unwatch(done), options);
    for (const key of keys) {
      const watchers = this.#watchers.get(key);
      if (watchers === undefined) this.#watchers.set(key, [fetch]);
      else watchers.push(fetch);
    }
    return fetch;
  }

  /** How many partitions have a list of watchers, empty or not (for tests). */
  get watchedKeys(): number {
    return this.#watchers.size;
  }

  /** How many fetches watch a partition (for tests and metrics). */
  watching(key: string): number {
    return this.#watchers.get(key)?.length ?? 0;
  }

  /** `bytes` became readable on `key`, `stableBytes` of them (default all) below its last stable offset. */
  dataArrived(key: string, bytes: number, stableBytes = bytes): void {
    const watchers = this.#watchers.get(key);
    if (watchers === undefined || watchers.length === 0) return;
    for (const fetch of [...watchers]) {
      const arrived = fetch.readCommitted ? stableBytes : bytes;
      if (arrived > 0) fetch.dataArrived(key, arrived);
    }
  }

  /** `key`'s offsets moved (its high watermark) with no bytes for these fetches: noted on each, none woken. */
  offsetsMoved(key: string): void {
    for (const fetch of this.#watchers.get(key) ?? []) fetch.offsetsMoved(key);
  }

  partitionChanged(key: string): void {
    const watchers = this.#watchers.get(key);
    if (watchers === undefined || watchers.length === 0) return;
    for (const fetch of [...watchers]) fetch.partitionChanged(key);
  }

  /** Completes every parked fetch (shutdown). */
  completeAll(): void {
    for (const watchers of [...this.#watchers.values()]) for (const fetch of [...watchers]) fetch.complete();
  }

  /**
   * Leaves a partition's list in place when it empties, and takes the fetch
   * out by moving the last one into its place: a follower's session parks a
   * fetch on each of its thousands of partitions every
   * replica.fetch.wait.max.ms, and a Set a partition (made anew, or rehashed
   * after deletes) allocated for each fetch what lived through its wait into
   * the old generation, megabytes a second of an idle broker. The lists
   * left empty are dropped once a sweep interval (EMPTY_LISTS_SWEPT_EVERY_MS),
   * so the partitions no fetch watches any more cost nothing for long.
   */
  private unwatch(fetch: DelayedFetch): void {
    for (const key of fetch.keys) {
      const watchers = this.#watchers.get(key);
      const at = watchers === undefined ? -1 : watchers.indexOf(fetch);
      if (at < 0) continue;
      watchers![at] = watchers![watchers!.length - 1]!;
      watchers!.pop();
    }
    const now = this.#clock();
    if (now - this.#sweptAt < EMPTY_LISTS_SWEPT_EVERY_MS) return;
    this.#sweptAt = now;
    for (const [key, watchers] of this.#watchers) if (watchers.length === 0) this.#watchers.delete(key);
  }
}
