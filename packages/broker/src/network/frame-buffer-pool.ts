/** Frames below this size are copied into fresh memory: small allocations come from malloc's free lists or Node's slab, not new pages. */
const MIN_POOLED_BYTES = 64 * 1024;

/**
 * Buffers for large request frames read in several chunks, used again once
 * their request is done: the buffer half of Kafka's network MemoryPool (the
 * bytes half, the bound on what requests being read may hold, is
 * RequestMemoryPool). Measured with kcat's ~1 MB batches of 16 KiB records
 * (two 256 MiB runs, broker thread profiled, two pairs): assembling each
 * frame in fresh memory cost 1.4-2.3 s of copying and 3.8-4.7 s of the
 * broker thread; in reused buffers, 0.5-0.65 s and 2.7-2.9 s. Fresh megabytes
 * are pages the process has not touched, each faulted in by the copy.
 * Sizes are powers of two from 64 KiB; what is returned is kept while the
 * idle buffers total at most `maxIdleBytes`, the rest is left to the garbage
 * collector. A buffer may be lent only for a frame nothing
 * holds once its request is answered: the caller's to decide (the broker
 * lends them to Produce, whose records are written before it is answered).
 * Owned by the broker worker's loop.
 */
export class FrameBufferPool {
  readonly #maxIdleBytes: number;
  /** Idle buffers by size. */
  readonly #idle = new Map<number, Buffer[]>();
  readonly #lent = new Set<ArrayBuffer>();
  #idleBytes = 0;

  constructor(maxIdleBytes: number) {
    this.#maxIdleBytes = maxIdleBytes;
  }

  /** Bytes of the idle buffers kept for reuse. */
  get idleBytes(): number {
    return this.#idleBytes;
  }

  /** Buffers lent and not yet given back. */
  get lentCount(): number {
    return this.#lent.size;
  }

  /** A buffer of at least `length` bytes, lent until `giveBack`; undefined below the pooled sizes. */
  take(length: number): Buffer | undefined {
    if (length < MIN_POOLED_BYTES) return undefined;
    const size = sizeFor(length);
    const buffer = this.#idle.get(size)?.pop();
    if (buffer !== undefined) this.#idleBytes -= size;
    const lent = buffer ?? Buffer.allocUnsafeSlow(size);
    this.#lent.add(lent.buffer as ArrayBuffer);
    return lent;
  }

  /** Returns the buffer `frame` is a view of, if it was lent by this pool (once; anything else is ignored). */
  giveBack(frame: Buffer): void {
    const memory = frame.buffer as ArrayBuffer;
    if (!this.#lent.delete(memory)) return;
    const size = memory.byteLength;
    if (this.#idleBytes + size > this.#maxIdleBytes) return;
    let idle = this.#idle.get(size);
    if (idle === undefined) this.#idle.set(size, (idle = []));
    idle.push(Buffer.from(memory));
    this.#idleBytes += size;
  }
}

/** The smallest power of two of at least `length` bytes. */
function sizeFor(length: number): number {
  return 2 ** Math.ceil(Math.log2(length));
}
