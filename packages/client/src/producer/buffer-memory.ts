/**
 * The producer's bound on queued record bytes (Kafka's buffer.memory): a
 * record's bytes are reserved when it is appended to a batch and released
 * when its batch completes or fails. When the budget is spent, appends wait
 * in arrival order (Kafka's BufferPool is fair the same way) for at most
 * maxBlockMs. Owned by one producer; not shared.
 */
export class BufferMemory {
  #available: number;
  readonly #waiters: { bytes: number; grant: () => void }[] = [];

  constructor(totalBytes: number) {
    this.#available = totalBytes;
  }

  get availableBytes(): number {
    return this.#available;
  }

  /** Someone is blocked on memory: the accumulator then sends batches without waiting out linger, as Kafka does. */
  get hasWaiters(): boolean {
    return this.#waiters.length > 0;
  }

  /** Reserves `bytes` now if they are free and nobody waits ahead; false otherwise. */
  tryReserve(bytes: number): boolean {
    if (this.#waiters.length > 0 || bytes > this.#available) return false;
    this.#available -= bytes;
    return true;
  }

  /**
   * Waits, behind earlier waiters, until `bytes` are free and reserves them.
   * Rejects with `onTimeout()`'s error after `timeoutMs`. `bytes` must not
   * exceed the total (the caller refuses such a record up front).
   */
  reserve(bytes: number, timeoutMs: number, onTimeout: () => Error): Promise<void> {
    if (this.tryReserve(bytes)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        bytes,
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(onTimeout());
        this.#grantWaiters();
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  release(bytes: number): void {
    this.#available += bytes;
    this.#grantWaiters();
  }

  #grantWaiters(): void {
    while (this.#waiters.length > 0 && this.#waiters[0]!.bytes <= this.#available) {
      const waiter = this.#waiters.shift()!;
      this.#available -= waiter.bytes;
      waiter.grant();
    }
  }
}
