import { describe, expect, it } from 'vitest';
import { FrameBufferPool } from './frame-buffer-pool.js';

const KiB = 1024;

describe('FrameBufferPool', () => {
  it('smallFramesAreNotPooled: below 64 KiB the frame gets fresh memory', () => {
    const pool = new FrameBufferPool(16 * 1024 * KiB);
    expect(pool.take(64 * KiB - 1)).toBeUndefined();
    expect(pool.lentCount).toBe(0);
  });

  it('sizesArePowersOfTwo: a buffer holds the frame, with at most twice its length', () => {
    const pool = new FrameBufferPool(16 * 1024 * KiB);
    expect(pool.take(64 * KiB)!.length).toBe(64 * KiB);
    expect(pool.take(64 * KiB + 1)!.length).toBe(128 * KiB);
    expect(pool.take(1_000_000)!.length).toBe(1024 * KiB);
    expect(pool.lentCount).toBe(3);
  });

  it('givenBackBuffersAreLentAgain: the same memory serves the next frame of its size, not another size', () => {
    const pool = new FrameBufferPool(16 * 1024 * KiB);
    const first = pool.take(1_000_000)!;
    pool.giveBack(first.subarray(0, 1_000_000));
    expect(pool.lentCount).toBe(0);
    expect(pool.idleBytes).toBe(1024 * KiB);
    expect(pool.take(300 * KiB)!.buffer).not.toBe(first.buffer);
    const again = pool.take(900_000)!;
    expect(again.buffer).toBe(first.buffer);
    expect(pool.idleBytes).toBe(0);
  });

  it('whileLentNeverLentTwice: buffers lent at once are distinct memory', () => {
    const pool = new FrameBufferPool(16 * 1024 * KiB);
    const a = pool.take(200 * KiB)!;
    pool.giveBack(a);
    const lent = [pool.take(200 * KiB)!, pool.take(200 * KiB)!, pool.take(200 * KiB)!];
    expect(new Set(lent.map((b) => b.buffer)).size).toBe(3);
  });

  it('givingBackTwiceOrForeignBuffersIsIgnored: the idle list never holds a buffer twice or one the pool did not lend', () => {
    const pool = new FrameBufferPool(16 * 1024 * KiB);
    const lent = pool.take(100 * KiB)!;
    pool.giveBack(lent);
    pool.giveBack(lent);
    pool.giveBack(Buffer.alloc(128 * KiB));
    expect(pool.idleBytes).toBe(128 * KiB);
    const next = pool.take(100 * KiB)!;
    expect(next.buffer).toBe(lent.buffer);
    expect(pool.take(100 * KiB)!.buffer).not.toBe(lent.buffer);
  });

  it('idleBytesAreBounded: buffers given back past maxIdleBytes are left to the garbage collector', () => {
    const pool = new FrameBufferPool(2 * 1024 * KiB);
    const lent = [pool.take(1_000_000)!, pool.take(1_000_000)!, pool.take(1_000_000)!];
    for (const buffer of lent) pool.giveBack(buffer);
    expect(pool.idleBytes).toBe(2 * 1024 * KiB);
    expect(pool.lentCount).toBe(0);
  });
});
