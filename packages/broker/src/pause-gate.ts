// Atomics.waitAsync is in Node 20 but in TypeScript's ES2024 lib, past this
// project's ES2023.
type WaitAsync = (
  cells: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
) => { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** Cell 0: the node wants the broker paused (1) or running (0). */
const REQUESTED = 0;
/** Cell 1: the broker's thread is blocked (1) or running (0). */
const PAUSED = 1;

/**
 * A broker worker's pause switch, shared by the node and the worker (the one
 * shared memory between them: fault injection stops the worker's whole event
 * loop, so no message could reach it). The node requests a pause and tells
 * the worker to look (PauseNotice); the worker then blocks in Atomics.wait
 * until the node releases it. Each side sees the other's cell at once.
 */
export class PauseGate {
  readonly buffer: SharedArrayBuffer;
  readonly #cells: Int32Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)) {
    this.buffer = buffer;
    this.#cells = new Int32Array(buffer);
  }

  /** Whether the node has asked for a pause it has not released. */
  get requested(): boolean {
    return Atomics.load(this.#cells, REQUESTED) === 1;
  }

  /** Whether the worker's thread is blocked right now. */
  get paused(): boolean {
    return Atomics.load(this.#cells, PAUSED) === 1;
  }

  /** Node side: asks for a pause; the worker blocks once it calls holdWhileRequested. */
  request(): void {
    Atomics.store(this.#cells, REQUESTED, 1);
  }

  /** Node side: lets the worker run again. */
  release(): void {
    Atomics.store(this.#cells, REQUESTED, 0);
    Atomics.notify(this.#cells, REQUESTED);
  }

  /** Node side: resolves true once the worker's thread is blocked (false after `timeoutMs` without). */
  whenPaused(timeoutMs: number): Promise<boolean> {
    return this.#until(1, timeoutMs);
  }

  /** Node side: resolves true once the worker's thread runs again (false after `timeoutMs` without). */
  whenRunning(timeoutMs: number): Promise<boolean> {
    return this.#until(0, timeoutMs);
  }

  /** Worker side: blocks this thread while a pause is requested; returns at once otherwise. */
  holdWhileRequested(): void {
    if (!this.requested) return;
    Atomics.store(this.#cells, PAUSED, 1);
    Atomics.notify(this.#cells, PAUSED);
    while (Atomics.load(this.#cells, REQUESTED) === 1) Atomics.wait(this.#cells, REQUESTED, 1);
    Atomics.store(this.#cells, PAUSED, 0);
    Atomics.notify(this.#cells, PAUSED);
  }

  async #until(pausedValue: 0 | 1, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const current = Atomics.load(this.#cells, PAUSED);
      if (current === pausedValue) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      const wait = waitAsync(this.#cells, PAUSED, current, left);
      if (wait.async) await wait.value;
    }
  }
}
