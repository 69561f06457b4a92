// A groups fault run's summary: the seed first (it replays the run), the
// counts, the faults by kind, and each violation with the faults around it.
import type { GroupCheckResult } from './group-checker.test-support.js';
import type { GroupFaultEvent, GroupHistory } from './group-history.test-support.js';
import type { GroupViolation } from './group-violation.test-support.js';
import { describeFault, errorCounts } from './summary.test-support.js';

const AROUND_MS = 1_500;
/** Violations printed one by one; the rest are counted by rule. */
const SHOWN = 30;

function describeGroupFault(f: GroupFaultEvent): string {
  return f.kind === 'kill-consumer' ? `kill-consumer ${f.target} at ${(f.startedAt / 1000).toFixed(1)} s` : describeFault({ ...f, kind: f.kind });
}

function describeViolation(history: GroupHistory, v: GroupViolation): string {
  const where = `${history.topic}-${v.partition}${v.offset === null ? '' : ` offset ${v.offset}`}`;
  const at = v.at;
  const around = at === undefined ? [] : history.faults.filter((f) => f.startedAt <= at + AROUND_MS && (f.healedAt ?? Infinity) >= at - AROUND_MS);
  const faults = around.length === 0 ? '' : `\n    faults around it: ${around.map(describeGroupFault).join('; ')}`;
  return `  ${v.rule}: ${where}${v.value === null ? '' : ` value ${JSON.stringify(v.value)}`}: ${v.message}${faults}`;
}

/** How the commits that were not acknowledged ended, most frequent first. */
function commitErrors(history: GroupHistory): string {
  const counts = new Map<string, number>();
  for (const c of history.commits) if (c.outcome.kind !== 'ok') counts.set(`${c.outcome.kind} ${c.outcome.error}`, (counts.get(`${c.outcome.kind} ${c.outcome.error}`) ?? 0) + 1);
  return [...counts]
    .sort(([, a], [, b]) => b - a)
    .map(([error, n]) => `${n} ${error}`)
    .join('; ');
}

export function summarizeGroups(history: GroupHistory, result: GroupCheckResult): string {
  const faults = new Map<string, number>();
  for (const f of history.faults) faults.set(f.kind, (faults.get(f.kind) ?? 0) + 1);
  const byRule = new Map<string, number>();
  for (const v of result.violations) byRule.set(v.rule, (byRule.get(v.rule) ?? 0) + 1);
  const { ok, refused, indeterminate } = result.commits;
  const lines = [
    `seed=${history.seed} topic=${history.topic} group=${history.group}`,
    `produces: ${history.produces.length}; acknowledged ${result.acknowledged}`,
    ...(result.acknowledged < history.produces.length ? [`not acknowledged: ${errorCounts({ ...history, reads: [], faults: [] })}`] : []),
    `deliveries: ${result.deliveries} (${result.redeliveries} of an offset delivered before: at least once allows them)`,
    `commits: ${ok} acknowledged, ${refused} refused, ${indeterminate} indeterminate${refused + indeterminate === 0 ? '' : ` (${commitErrors(history)})`}; OffsetFetch answers: ${result.offsetSamples}`,
    `members: ${result.members}; generations with assignments: ${result.generations}`,
    `faults: ${history.faults.length}${faults.size === 0 ? '' : ` (${[...faults].map(([k, n]) => `${k} ${n}`).join(', ')})`}`,
    result.violations.length === 0 ? 'violations: none' : `violations: ${result.violations.length} (seed=${history.seed}): ${[...byRule].map(([r, n]) => `${r} ${n}`).join(', ')}`,
    ...result.violations.slice(0, SHOWN).map((v) => describeViolation(history, v)),
    ...(result.violations.length > SHOWN ? [`  ... and ${result.violations.length - SHOWN} more`] : []),
  ];
  return lines.join('\n');
}

export function groupFaultTimeline(history: GroupHistory): string[] {
  return history.faults.map((f) => `  ${describeGroupFault(f)}`);
}
