/**
 * When a supervisor restarts a child that exited without being asked to: after
 * a delay that doubles with each restart in the window, from `initialDelayMs`
 * up to `maxDelayMs`, and at most `maxRestarts` times within any `windowMs`;
 * the exit after that makes it give up on the child.
 */
export interface RestartPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRestarts: number;
  readonly windowMs: number;
}

export const defaultRestartPolicy: RestartPolicy = {
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  maxRestarts: 5,
  windowMs: 60_000,
};

export type RestartPlan = { readonly restart: true; readonly delayMs: number } | { readonly restart: false };

export function checkRestartPolicy(policy: RestartPolicy): void {
  const { initialDelayMs, maxDelayMs, maxRestarts, windowMs } = policy;
  if (!(initialDelayMs >= 0 && maxDelayMs >= initialDelayMs && Number.isInteger(maxRestarts) && maxRestarts >= 0 && windowMs > 0)) {
    throw new RangeError(
      `restart policy needs 0 <= initialDelayMs <= maxDelayMs, an integer maxRestarts >= 0 and windowMs > 0; got ${JSON.stringify(policy)}`,
    );
  }
}

/**
 * What follows an exit at `now`, given the times of the restarts decided before
 * it (only those within the window count). The caller records `now` when the
 * plan is a restart.
 */
export function planRestart(policy: RestartPolicy, restartTimes: readonly number[], now: number): RestartPlan {
  const recent = restartTimes.filter((t) => now - t < policy.windowMs).length;
  if (recent >= policy.maxRestarts) return { restart: false };
  return { restart: true, delayMs: Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** recent) };
}
