/** A file the budget may close while nobody uses it (a segment's .log), to reopen on its next use. */
export interface EvictableFile {
  /** Closes the descriptor; the file reopens on its next use. The budget's slot is free once this settles. */
  evict(): Promise<void>;
}

/**
 * How many files one broker's log may hold open at once, whatever the
 * number of partitions (Kafka keeps every segment open and asks for a
 * high open-file limit; a node of several brokers in one process shares
 * one limit). Every open takes a slot and every close gives it back.
 * Files that can reopen themselves (EvictableFile) stay open while idle,
 * in least-recently-used order, and the least recently used idle one is
 * closed when an open finds no free slot. An open that finds neither
 * waits for the next close. Not thread-safe; one per broker loop.
 */
export class OpenFileBudget {
  #open = 0;
  /** Idle evictable files, least recently used first (a Set keeps insertion order). */
  readonly #idle = new Set<EvictableFile>();
  readonly #waiting: Array<() => void> = [];
  #evictions = 0;
  #outside = 0;
  #peakOutside = 0;

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`an open-file budget needs at least 1 file, got ${limit}`);
  }

  /** Slots taken: files open, being opened, or being closed to make room. */
  get open(): number {
    return this.#open;
  }

  /** Idle files closed to make room, since the budget was made. */
  get evictions(): number {
    return this.#evictions;
  }

  /** Files open outside the budget now (see leave), and the most there were at once. */
  get outside(): number {
    return this.#outside;
  }

  get peakOutside(): number {
    return this.#peakOutside;
  }

  /** Takes a slot for an open about to happen; resolves once one is free. Give it back with release. */
  acquire(): Promise<void> {
    if (this.#open < this.limit) {
      this.#open++;
      return Promise.resolve();
    }
    const victim = this.#leastRecentlyUsed();
    // The victim's slot passes to this open once its close is done, failed or not (a failed close frees the descriptor too).
    if (victim !== undefined) return victim.evict().then(noop, noop);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Gives a slot back: to the longest-waiting open, else to the pool. */
  release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#open--;
  }

  /**
   * An open file leaves the budget, its slot given back, until `returned`
   * (StorageFile.pin: a file renamed while readers hold it).
   */
  leave(): void {
    this.#outside++;
    this.#peakOutside = Math.max(this.#peakOutside, this.#outside);
    this.release();
  }

  /** A file that left the budget is closed. */
  returned(): void {
    this.#outside--;
  }

  /** `file` is open and unused: it may be closed to make room, least recently used first. */
  idle(file: EvictableFile): void {
    this.#idle.delete(file);
    this.#idle.add(file);
    if (this.#waiting.length > 0) {
      const next = this.#waiting.shift()!;
      this.#idle.delete(file);
      this.#evictions++;
      file.evict().then(next, next);
    }
  }

  /** `file` is in use (or closed): it must not be closed to make room. */
  busy(file: EvictableFile): void {
    this.#idle.delete(file);
  }

  #leastRecentlyUsed(): EvictableFile | undefined {
    for (const file of this.#idle) {
      this.#idle.delete(file);
      this.#evictions++;
      return file;
    }
    return undefined;
  }
}

function noop(): void {}
