/**
 * Runs async tasks one after another, in the order they were queued: the
 * log's changes (writes, rolls, truncations, retention) never interleave at
 * an await. A failed task does not stop the ones after it.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => {});
    return result;
  }
}
