// A fault run's summary as a person reads it: the seed first (a run
// replays from it), the counts, the faults by kind, and each violation
// with the faults injected around the operations that touched its value.
import type { CheckResult } from './checker.test-support.js';
import type { FaultEvent, History } from './history.test-support.js';
import type { Violation } from './violation.test-support.js';

/** Faults this long before an operation began or after it ended count as around it. */
const AROUND_MS = 1_500;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function describeFault(f: FaultEvent): string {
  return `${f.kind} ${f.target} at ${seconds(f.startedAt)}${f.healedAt === null ? ' (never healed)' : ` (healed ${seconds(f.healedAt)})`}`;
}

/** The faults overlapping the operations (produce, reads) that touched `value`, widened by AROUND_MS. */
export function faultsAround(history: History, value: string | null): FaultEvent[] {
  if (value === null) return [];
  const spans = [
    ...history.produces.filter((op) => op.value === value).map((op) => [op.invokedAt, op.completedAt] as const),
    ...history.reads.filter((r) => r.value === value).map((r) => [r.at, r.at] as const),
  ];
  return history.faults.filter((f) => spans.some(([from, to]) => f.startedAt <= to + AROUND_MS && (f.healedAt ?? Number.POSITIVE_INFINITY) >= from - AROUND_MS));
}

export function describeViolation(history: History, v: Violation): string {
  const at = v.offset === null ? `${history.topic}-${v.partition}` : `${history.topic}-${v.partition} offset ${v.offset}`;
  const around = faultsAround(history, v.value);
  const faults = around.length === 0 ? '' : `\n    faults around it: ${around.map(describeFault).join('; ')}`;
  return `  ${v.rule}: ${at}${v.value === null ? '' : ` value ${JSON.stringify(v.value)}`}: ${v.message}${faults}`;
}

/** How the produces that were not acknowledged ended, most frequent first (broker ids and times folded, so alike errors count together). */
export function errorCounts(history: History): string {
  const counts = new Map<string, number>();
  for (const op of history.produces) {
    if (op.outcome.kind === 'ok') continue;
    const error = `${op.outcome.kind} ${op.outcome.error.replace(/\d+/g, 'N')}`;
    counts.set(error, (counts.get(error) ?? 0) + 1);
  }
  return [...counts]
    .sort(([, a], [, b]) => b - a)
    .map(([error, n]) => `${n} ${error}`)
    .join('; ');
}

export function summarize(history: History, result: CheckResult): string {
  const perPartition = [...result.acknowledgedByPartition]
    .sort(([a], [b]) => a - b)
    .map(([p, n]) => `p${p} ${n}`)
    .join(', ');
  const faults = [...result.faultsByKind].map(([kind, n]) => `${kind} ${n}`).join(', ');
  const lines = [
    `seed=${history.seed} topic=${history.topic}`,
    `produces: ${history.produces.length}; acknowledged ${result.acknowledged} (${perPartition}); definite failures ${result.definiteFailures}; indeterminate ${result.indeterminateFound + result.indeterminateLost} (found ${result.indeterminateFound}, lost ${result.indeterminateLost}: allowed)`,
    ...(result.acknowledged < history.produces.length ? [`not acknowledged: ${errorCounts(history)}`] : []),
    `kafkajs resends: ${result.kafkajsResends} values stored more than once by kafkajs's own retries within a send (the same value, not a violation)`,
    `consumer reads: ${result.reads}`,
    `faults: ${history.faults.length}${faults === '' ? '' : ` (${faults})`}`,
    result.violations.length === 0 ? 'violations: none' : `violations: ${result.violations.length} (seed=${history.seed})`,
    ...result.violations.map((v) => describeViolation(history, v)),
  ];
  return lines.join('\n');
}
