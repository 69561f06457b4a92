import { afterEach, describe, expect, it, vi } from 'vitest';
import { heapUsage } from './heap-usage.js';

describe('heapUsage', () => {
  const exposed = globalThis.gc;

  afterEach(() => {
    globalThis.gc = exposed;
  });

  it('collectsOnlyWhenAskedAndExposed: gc() runs once when asked for and exposed, and collected says so', () => {
    const gc = vi.fn();
    globalThis.gc = gc as unknown as typeof globalThis.gc;
    expect(heapUsage(false).collected).toBe(false);
    expect(gc).not.toHaveBeenCalled();
    expect(heapUsage(true).collected).toBe(true);
    expect(gc).toHaveBeenCalledTimes(1);
  });

  it('notExposed: asked for without --expose-gc, nothing is collected and the heap is read all the same', () => {
    globalThis.gc = undefined;
    const heap = heapUsage(true);
    expect(heap.collected).toBe(false);
    expect(heap.usedBytes).toBeGreaterThan(0);
    expect(heap.totalBytes).toBeGreaterThanOrEqual(heap.usedBytes);
    expect(heap.youngGenerationBytes).toBeGreaterThan(0);
    expect(heap.youngGenerationBytes).toBeLessThan(heap.totalBytes);
    expect(heap.externalBytes).toBeGreaterThanOrEqual(0);
  });
});
