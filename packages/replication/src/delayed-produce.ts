/** How an acks=-1 produce's wait ended. */
export type ProduceWaitOutcome = 'replicated' | 'timedOut' | 'leadershipLost';

interface Waiter {
  readonly requiredOffset: bigint;
  readonly resolve: (outcome: ProduceWaitOutcome) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The acks=-1 produces waiting on one partition (Kafka's DelayedProduce in
 * the produce purgatory): each waits until the high watermark reaches its
 * required offset (its last offset + 1), its timeout, or the end of this
 * broker's leadership. Not thread-safe; owned by the partition's broker loop.
 */
export class DelayedProduces {
  /** Made with the first waiter: most partitions never hold an acks=-1 produce. */
  #waiters: Set<Waiter> | undefined;

  get size(): number {
    return this.#waiters?.size ?? 0;
  }

  wait(requiredOffset: bigint, highWatermark: bigint, timeoutMs: number): Promise<ProduceWaitOutcome> {
    if (highWatermark >= requiredOffset) return Promise.resolve('replicated');
    return new Promise((resolve) => {
      const waiter: Waiter = { requiredOffset, resolve, timer: setTimeout(() => this.#settle(waiter, 'timedOut'), Math.max(0, timeoutMs)) };
      (this.#waiters ??= new Set()).add(waiter);
    });
  }

  highWatermarkMoved(highWatermark: bigint): void {
    for (const waiter of this.#waiters ?? []) if (waiter.requiredOffset <= highWatermark) this.#settle(waiter, 'replicated');
  }

  /** The leadership ended (or the partition is going away): every waiter answers at once. */
  failAll(): void {
    for (const waiter of this.#waiters ?? []) this.#settle(waiter, 'leadershipLost');
  }

  #settle(waiter: Waiter, outcome: ProduceWaitOutcome): void {
    clearTimeout(waiter.timer);
    this.#waiters?.delete(waiter);
    waiter.resolve(outcome);
  }
}
