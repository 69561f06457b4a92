import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRestartPolicy, planRestart } from './supervisor-policy.js';
import type { RestartPolicy } from './supervisor-policy.js';

const policy: fc.Arbitrary<RestartPolicy> = fc
  .record({
    initialDelayMs: fc.integer({ min: 0, max: 1_000 }),
    extraDelayMs: fc.integer({ min: 0, max: 30_000 }),
    maxRestarts: fc.integer({ min: 0, max: 8 }),
    windowMs: fc.integer({ min: 1, max: 100_000 }),
  })
  .map(({ initialDelayMs, extraDelayMs, maxRestarts, windowMs }) => ({
    initialDelayMs,
    maxDelayMs: initialDelayMs + extraDelayMs,
    maxRestarts,
    windowMs,
  }));

/** Exit times, increasing, as a child crashing now and then would produce them. */
const exitTimes = fc.array(fc.integer({ min: 0, max: 50_000 }), { minLength: 1, maxLength: 40 }).map((gaps) => {
  let t = 0;
  return gaps.map((gap) => (t += gap));
});

/** Replays exits through planRestart the way the supervisor does, until it gives up. */
function replay(p: RestartPolicy, exits: readonly number[]) {
  const restarts: { at: number; delayMs: number; recent: number }[] = [];
  let gaveUpAt: number | undefined;
  for (const now of exits) {
    const history = restarts.map((r) => r.at);
    const plan = planRestart(p, history, now);
    if (!plan.restart) {
      gaveUpAt = now;
      break;
    }
    restarts.push({ at: now, delayMs: plan.delayMs, recent: history.filter((t) => now - t < p.windowMs).length });
  }
  return { restarts, gaveUpAt };
}

describe('planRestart', () => {
  it('neverRestartsMoreThanMaxRestartsWithinAnyWindow', () => {
    fc.assert(
      fc.property(policy, exitTimes, (p, exits) => {
        const { restarts } = replay(p, exits);
        for (const r of restarts) {
          const inWindow = restarts.filter((other) => other.at <= r.at && r.at - other.at < p.windowMs).length;
          expect(inWindow).toBeLessThanOrEqual(p.maxRestarts);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('givesUpOnlyWhenTheWindowAlreadyHoldsMaxRestarts', () => {
    fc.assert(
      fc.property(policy, exitTimes, (p, exits) => {
        const { restarts, gaveUpAt } = replay(p, exits);
        if (gaveUpAt === undefined) return;
        expect(restarts.filter((r) => gaveUpAt - r.at < p.windowMs)).toHaveLength(p.maxRestarts);
      }),
      { numRuns: 300 },
    );
  });

  it('delayDoublesWithEachRestartInTheWindowUpToTheMaximum', () => {
    fc.assert(
      fc.property(policy, exitTimes, (p, exits) => {
        for (const r of replay(p, exits).restarts) {
          expect(r.delayMs).toBe(Math.min(p.maxDelayMs, p.initialDelayMs * 2 ** r.recent));
          expect(r.delayMs).toBeGreaterThanOrEqual(p.initialDelayMs);
          expect(r.delayMs).toBeLessThanOrEqual(p.maxDelayMs);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('aQuietWindowResetsTheDelayToTheInitialOne', () => {
    const p = { initialDelayMs: 100, maxDelayMs: 10_000, maxRestarts: 5, windowMs: 60_000 };
    expect(planRestart(p, [0, 1_000, 2_000], 3_000)).toEqual({ restart: true, delayMs: 800 });
    expect(planRestart(p, [0, 1_000, 2_000], 62_000)).toEqual({ restart: true, delayMs: 100 });
  });

  it('rejectsAPolicyThatCannotBeFollowed', () => {
    const p = { initialDelayMs: 100, maxDelayMs: 10_000, maxRestarts: 5, windowMs: 60_000 };
    expect(() => checkRestartPolicy({ ...p, maxDelayMs: 50 })).toThrow(/initialDelayMs <= maxDelayMs/);
    expect(() => checkRestartPolicy({ ...p, maxRestarts: 1.5 })).toThrow(RangeError);
    expect(() => checkRestartPolicy({ ...p, windowMs: 0 })).toThrow(RangeError);
    expect(() => checkRestartPolicy(p)).not.toThrow();
  });
});
