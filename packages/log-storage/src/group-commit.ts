interface Waiter {
  write: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for the durable flush policy: appends wait for an fdatasync
 * that covers them, and one sync serves all of them. Writes are numbered in
 * completion order; `sync` makes every write completed before it started
 * durable and returns the number of the last one. Appends whose writes
 * finish while a sync runs wait for the next one, which covers them all. A
 * failed sync fails the appends waiting on it. Not thread-safe; owned by
 * the partition's broker loop.
 */
export class GroupCommit {
  private waiters: Waiter[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly sync: () => Promise<number>) {}

  /** Resolves once a sync has covered write number `write`. */
  waitFor(write: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ write, resolve, reject });
      this.running ??= this.run();
    });
  }

  /** Resolves when no sync is running or wanted. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    while (this.waiters.length > 0) {
      try {
        const covered = await this.sync();
        const still: Waiter[] = [];
        for (const w of this.waiters) w.write <= covered ? w.resolve() : still.push(w);
        this.waiters = still;
      } catch (error) {
        const failed = this.waiters;
        this.waiters = [];
        for (const w of failed) w.reject(error);
      }
    }
    this.running = undefined;
  }
}
