import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestMemoryPool } from './request-memory-pool.js';
import type { MemoryReservation } from './request-memory-pool.js';

describe('RequestMemoryPool', () => {
  it('waitsUntilReleasedThenGrantsInOrder: a claim that does not fit waits; releases grant the oldest first', () => {
    const pool = new RequestMemoryPool(100);
    const granted: string[] = [];
    const a = pool.reserve(60, () => granted.push('a'));
    const b = pool.reserve(60, () => granted.push('b'));
    const c = pool.reserve(10, () => granted.push('c'));
    expect([a.granted, b.granted, c.granted]).toEqual([true, false, false]);
    expect(pool.reservedBytes).toBe(60);
    expect(pool.waitingCount).toBe(2);
    a.release();
    expect(granted).toEqual(['b', 'c']);
    expect(pool.reservedBytes).toBe(70);
    b.release();
    c.release();
    expect(pool.reservedBytes).toBe(0);
  });

  it('claimLargerThanTheBudgetIsGrantedWhenNothingIsReserved: a request up to socket.request.max.bytes always completes', () => {
    const pool = new RequestMemoryPool(100);
    const small = pool.reserve(10, () => {});
    let grantedLarge = false;
    const large = pool.reserve(500, () => (grantedLarge = true));
    expect(large.granted).toBe(false);
    small.release();
    expect(grantedLarge).toBe(true);
    expect(pool.reservedBytes).toBe(500);
    large.release();
    expect(pool.reservedBytes).toBe(0);
  });

  it('withdrawnClaimLeavesTheQueue: releasing a waiting claim, twice, frees nothing and grants nothing', () => {
    const pool = new RequestMemoryPool(100);
    const held = pool.reserve(100, () => {});
    const waiting = pool.reserve(50, () => expect.unreachable());
    waiting.release();
    waiting.release();
    expect(pool.waitingCount).toBe(0);
    expect(pool.reservedBytes).toBe(100);
    held.release();
    held.release();
    expect(pool.reservedBytes).toBe(0);
  });

  it('zeroOrLessIsUnbounded', () => {
    const pool = new RequestMemoryPool(-1);
    expect(pool.reserve(Number.MAX_SAFE_INTEGER / 2, () => {}).granted).toBe(true);
    expect(pool.reserve(Number.MAX_SAFE_INTEGER / 2, () => {}).granted).toBe(true);
  });

  it('neverDeadlocksNorOvercommits: under any claims and releases, a waiting claim implies a granted one, and more than the budget is only ever one claim', () => {
    const limit = 1_000;
    const op = fc.oneof(fc.record({ reserve: fc.integer({ min: 1, max: 2_500 }) }), fc.record({ release: fc.nat() }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const pool = new RequestMemoryPool(limit);
        const live: MemoryReservation[] = [];
        const check = () => {
          const granted = live.filter((r) => r.granted);
          expect(pool.reservedBytes).toBe(granted.reduce((sum, r) => sum + r.bytes, 0));
          if (pool.waitingCount > 0) expect(granted.length).toBeGreaterThan(0);
          if (pool.reservedBytes > limit) expect(granted).toHaveLength(1);
        };
        for (const step of ops) {
          if ('reserve' in step) live.push(pool.reserve(step.reserve, check));
          else if (live.length > 0) live.splice(step.release % live.length, 1)[0]!.release();
          check();
        }
        while (live.length > 0) live.shift()!.release();
        expect(pool.reservedBytes).toBe(0);
        expect(pool.waitingCount).toBe(0);
      }),
    );
  });
});
