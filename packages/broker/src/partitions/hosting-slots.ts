/**
 * How many hosting changes of a metadata delta a broker runs at once. 16 and
 * 64 measured alike (creating 10,000 partitions: 1.1-1.2 s to the last
 * answer against 2.7 s with no limit, 18-20 KB of RSS a partition against
 * 24 KB); 256 was as slow as no limit.
 */
export const HOSTING_CHANGES_AT_ONCE = 64;

/**
 * At most `limit` hosting changes run at once; the others wait their turn,
 * first come first served. Each change is a chain of file system calls on
 * Node's thread pool, which every broker thread of the process shares, so a
 * few dozen in flight keep it busy as well as thousands do. Thousands in
 * flight at once (a metadata delta creating 10,000 partitions) held each
 * one's async frames and promises across every call queued before theirs:
 * they outlived the young generation and filled the old one with garbage.
 * Not thread-safe; owned by the broker loop.
 */
export class HostingSlots {
  readonly #limit: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  #head = 0;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`hosting slots must be a positive integer, got ${limit}`);
    this.#limit = limit;
  }

  /** How many changes wait for a slot. */
  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /** Runs `change` once a slot is free, and frees it when the change settles. */
  async run<T>(change: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running++;
    try {
      return await change();
    } finally {
      this.#release();
    }
  }

  /** Hands the slot to the longest waiting change, if any; the running count stays. */
  #release(): void {
    if (this.#head < this.#waiting.length) {
      const next = this.#waiting[this.#head]!;
      this.#waiting[this.#head++] = undefined as never;
      if (this.#head === this.#waiting.length) {
        this.#waiting.length = 0;
        this.#head = 0;
      }
      next();
      return;
    }
    this.#running--;
  }
}
