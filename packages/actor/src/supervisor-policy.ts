/**
 * How a supervisor restarts a child that exited without being asked to: it
 * always does, however often the child failed, after a delay that doubles
 * with each restart in a row, from `initialDelayMs` up to `maxDelayMs`. A
 * child that ran for at least `resetAfterMs` before it exited starts the
 * series over.
 */
export interface RestartPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly resetAfterMs: number;
}

export const defaultRestartPolicy: RestartPolicy = {
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  resetAfterMs: 60_000,
};

export interface RestartPlan {
  /** Which restart in a row this is, from 1. */
  readonly attempt: number;
  readonly delayMs: number;
}

/** Beyond this many doublings every delay is maxDelayMs anyway; it keeps 2 ** n finite. */
const MAX_DOUBLINGS = 52;

export function checkRestartPolicy(policy: RestartPolicy): void {
  const { initialDelayMs, maxDelayMs, resetAfterMs } = policy;
  if (!(initialDelayMs >= 0 && maxDelayMs >= initialDelayMs && Number.isFinite(maxDelayMs) && resetAfterMs >= 0)) {
    throw new RangeError(`restart policy needs 0 <= initialDelayMs <= maxDelayMs (finite) and resetAfterMs >= 0; got ${JSON.stringify(policy)}`);
  }
}

/**
 * The restart that follows an exit. `previousAttempt` is the attempt that
 * started the child which exited (0 for its first start); `ranForMs` is how
 * long it ran (0 when a restart could not even create it).
 */
export function planRestart(policy: RestartPolicy, previousAttempt: number, ranForMs: number): RestartPlan {
  const attempt = ranForMs >= policy.resetAfterMs ? 1 : previousAttempt + 1;
  const doublings = Math.min(attempt - 1, MAX_DOUBLINGS);
  return { attempt, delayMs: Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** doublings) };
}
