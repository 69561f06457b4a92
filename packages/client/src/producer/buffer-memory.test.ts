import { describe, expect, it } from 'vitest';
import { BufferMemory } from './buffer-memory.js';

describe('BufferMemory', () => {
  it('reservesUntilTheBudgetIsSpent', () => {
    const memory = new BufferMemory(100);
    expect(memory.tryReserve(60)).toBe(true);
    expect(memory.tryReserve(50)).toBe(false);
    expect(memory.tryReserve(40)).toBe(true);
    expect(memory.availableBytes).toBe(0);
  });

  it('waitersAreGrantedInArrivalOrder', async () => {
    const memory = new BufferMemory(100);
    memory.tryReserve(100);
    const granted: string[] = [];
    const big = memory.reserve(80, 5_000, () => new Error('timeout')).then(() => granted.push('big'));
    const small = memory.reserve(10, 5_000, () => new Error('timeout')).then(() => granted.push('small'));
    expect(memory.tryReserve(1)).toBe(false);
    memory.release(50);
    await Promise.resolve();
    expect(granted).toEqual([]);
    memory.release(50);
    await Promise.all([big, small]);
    expect(granted).toEqual(['big', 'small']);
    expect(memory.availableBytes).toBe(10);
  });

  it('aWaiterTimesOutWithTheGivenErrorAndFreesTheQueue', async () => {
    const memory = new BufferMemory(10);
    memory.tryReserve(10);
    await expect(memory.reserve(5, 10, () => new Error('no room after 10 ms'))).rejects.toThrow('no room after 10 ms');
    expect(memory.hasWaiters).toBe(false);
    memory.release(10);
    expect(memory.tryReserve(10)).toBe(true);
  });
});
