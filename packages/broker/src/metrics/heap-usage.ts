import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';

/** A thread's V8 heap, as the control API's heapUsage reports it. */
export interface HeapUsage {
  /** A full collection of this heap ran just before it was read: asked for, and possible (the process runs with --expose-gc). */
  readonly collected: boolean;
  /** Bytes of the heap in use: after a collection, what the thread's objects keep alive. */
  readonly usedBytes: number;
  /** Bytes V8 has allocated for the heap. */
  readonly totalBytes: number;
  /**
   * Of those, the young generation's (V8's new space): it grows with the
   * rate of allocation up to a cap and is not given back by a collection,
   * so a burst of work leaves it large, whatever stays alive.
   */
  readonly youngGenerationBytes: number;
  /** Memory outside the heap held by its objects (Buffers, ArrayBuffers). */
  readonly externalBytes: number;
}

/**
 * The calling thread's V8 heap (each worker thread has a heap of its own),
 * after a full collection when `collectGarbage` and gc() is exposed; a
 * diagnostic, as the JVM's MemoryMXBean.gc() is. A collection stops the
 * thread for as long as it takes (tens of milliseconds for a large heap).
 */
export function heapUsage(collectGarbage: boolean): HeapUsage {
  const collect = collectGarbage ? globalThis.gc : undefined;
  collect?.();
  const heap = getHeapStatistics();
  const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  return {
    collected: collect !== undefined,
    usedBytes: heap.used_heap_size,
    totalBytes: heap.total_heap_size,
    youngGenerationBytes: young?.space_size ?? 0,
    externalBytes: heap.external_memory,
  };
}
