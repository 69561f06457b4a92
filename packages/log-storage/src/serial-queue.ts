/**
 * Runs tasks one after another, in the order they were queued: the log's
 * changes (writes, rolls, truncations, retention) never interleave at an
 * await. A failed task does not stop the ones after it. A queued task starts
 * from a microtask, never inside the call that queues it.
 *
 * Besides `run`, a caller may take the queue at once when nothing runs or
 * waits (`tryEnter`) and give it back with `leave`: the write path, whose
 * turn frees the queue as it ends, before the appends it resolved make their
 * next call — with `run` that call would wait for the turn's promise to
 * settle, a few promise steps on every append of a caller that awaits each.
 */
// Not queueMicrotask: Node wraps its callback in an AsyncResource.
const settled = Promise.resolve();

export class SerialQueue {
  private busy = false;
  /** Made when a task has to wait, dropped when none does: a broker has thousands of idle queues. */
  private waiting: (() => void)[] | undefined;

  /** Whether a task waits for the one running: work that joined the running task now would go ahead of it. */
  get hasWaiting(): boolean {
    return this.waiting !== undefined && this.waiting.length > 0;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.enqueue(() => {
        let running: Promise<T>;
        try {
          running = task();
        } catch (error) {
          running = Promise.reject(error);
        }
        running.then(
          (value) => {
            resolve(value);
            this.leave();
          },
          (error: unknown) => {
            reject(error);
            this.leave();
          },
        );
      });
    });
  }

  /** Calls `start` once the tasks queued before it have left; `start` owns the queue until it calls leave. */
  enqueue(start: () => void): void {
    if (this.busy) {
      (this.waiting ??= []).push(start);
    } else {
      this.busy = true;
      void settled.then(start);
    }
  }

  /** Takes the queue now if no task runs or waits; the caller must leave it. */
  tryEnter(): boolean {
    if (this.busy) return false;
    this.busy = true;
    return true;
  }

  /** Ends the running task: the next one waiting starts (from a microtask), or the queue is free. */
  leave(): void {
    const next = this.waiting?.shift();
    if (next !== undefined) {
      void settled.then(next);
      return;
    }
    this.busy = false;
    this.waiting = undefined;
  }
}
