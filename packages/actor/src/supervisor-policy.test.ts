import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRestartPolicy, planRestart } from './supervisor-policy.js';
import type { RestartPlan, RestartPolicy } from './supervisor-policy.js';

const policy: fc.Arbitrary<RestartPolicy> = fc
  .record({
    initialDelayMs: fc.integer({ min: 0, max: 1_000 }),
    extraDelayMs: fc.integer({ min: 0, max: 30_000 }),
    resetAfterMs: fc.integer({ min: 0, max: 100_000 }),
  })
  .map(({ initialDelayMs, extraDelayMs, resetAfterMs }) => ({ initialDelayMs, maxDelayMs: initialDelayMs + extraDelayMs, resetAfterMs }));

/** How long each incarnation of a child ran before it exited. */
const runTimes = fc.array(fc.integer({ min: 0, max: 200_000 }), { minLength: 1, maxLength: 200 });

/** Replays exits through planRestart the way the supervisor does. */
function replay(p: RestartPolicy, runs: readonly number[]): RestartPlan[] {
  const plans: RestartPlan[] = [];
  let attempt = 0;
  for (const ranForMs of runs) {
    const plan = planRestart(p, attempt, ranForMs);
    plans.push(plan);
    attempt = plan.attempt;
  }
  return plans;
}

describe('planRestart', () => {
  it('alwaysRestartsWithADelayWithinTheBounds, however many exits came before', () => {
    fc.assert(
      fc.property(policy, runTimes, (p, runs) => {
        const plans = replay(p, runs);
        expect(plans).toHaveLength(runs.length);
        for (const { delayMs } of plans) {
          expect(delayMs).toBeGreaterThanOrEqual(p.initialDelayMs);
          expect(delayMs).toBeLessThanOrEqual(p.maxDelayMs);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('delayDoublesWithEachRestartInARowUpToTheMaximum', () => {
    fc.assert(
      fc.property(policy, runTimes, (p, runs) => {
        const plans = replay(p, runs);
        for (const [i, plan] of plans.entries()) {
          const inARow = runs[i]! >= p.resetAfterMs ? 1 : (plans[i - 1]?.attempt ?? 0) + 1;
          expect(plan.attempt).toBe(inARow);
          expect(plan.delayMs).toBe(Math.min(p.maxDelayMs, p.initialDelayMs * 2 ** (inARow - 1)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('aLongRunStartsTheSeriesOver', () => {
    const p = { initialDelayMs: 100, maxDelayMs: 10_000, resetAfterMs: 60_000 };
    expect(planRestart(p, 3, 1_000)).toEqual({ attempt: 4, delayMs: 800 });
    expect(planRestart(p, 3, 60_000)).toEqual({ attempt: 1, delayMs: 100 });
  });

  it('endlessQuickExitsKeepTheCappedDelay, also from a zero initial delay', () => {
    for (const initialDelayMs of [0, 1, 100]) {
      const p = { initialDelayMs, maxDelayMs: 10_000, resetAfterMs: 60_000 };
      const plan = planRestart(p, 100_000, 0);
      expect(plan).toEqual({ attempt: 100_001, delayMs: initialDelayMs === 0 ? 0 : 10_000 });
    }
  });

  it('rejectsAPolicyThatCannotBeFollowed', () => {
    const p = { initialDelayMs: 100, maxDelayMs: 10_000, resetAfterMs: 60_000 };
    expect(() => checkRestartPolicy({ ...p, maxDelayMs: 50 })).toThrow(/initialDelayMs <= maxDelayMs/);
    expect(() => checkRestartPolicy({ ...p, maxDelayMs: Infinity })).toThrow(RangeError);
    expect(() => checkRestartPolicy({ ...p, resetAfterMs: -1 })).toThrow(RangeError);
    expect(() => checkRestartPolicy(p)).not.toThrow();
  });
});
