// An EOS fault run's summary: the seed first (it replays the run), the
// counts, the faults by kind, and each violation with its history excerpt —
// the transactions involved (worker, transactional id, input offsets, times,
// outcome), what their workers did around them, and the faults around them.
import type { EosCheckResult, EosViolation } from './eos-checker.test-support.js';
import type { EosFinalState, EosHistory, TxnAttempt } from './eos-history.test-support.js';
import { describeFault } from './summary.test-support.js';

const AROUND_MS = 1_500;
/** Violations printed with their excerpt; the rest are counted by rule. */
const SHOWN = 12;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function describeAttempt(t: TxnAttempt): string {
  const outcome = t.outcome === null ? 'unfinished' : t.outcome.kind === 'committed' ? 'committed' : `${t.outcome.kind}: ${t.outcome.error}`;
  const span = `${seconds(t.startedAt)}-${t.endedAt === null ? '?' : seconds(t.endedAt)}`;
  return `${t.tag} ${t.transactionalId} input-${t.inputPartition}@${t.firstOffset}..${t.lastOffset} (${t.inputs.length} records, offsets to ${t.committedOffset}) ${span}: ${outcome}`;
}

function excerpt(history: EosHistory, v: EosViolation): string[] {
  const attempts = history.transactions.filter((t) => v.tags.includes(t.tag));
  if (attempts.length === 0) return [];
  const from = Math.min(...attempts.map((t) => t.startedAt)) - AROUND_MS;
  const to = Math.max(...attempts.map((t) => t.endedAt ?? Number.POSITIVE_INFINITY)) + AROUND_MS;
  const workers = new Set(attempts.map((t) => t.worker));
  const events = history.workerEvents.filter((e) => workers.has(e.worker) && e.at >= from && e.at <= to);
  const faults = history.faults.filter((f) => f.startedAt <= to && (f.healedAt ?? Number.POSITIVE_INFINITY) >= from);
  return [
    ...attempts.map((t) => `    transaction ${describeAttempt(t)}`),
    ...events.slice(0, 10).map((e) => `    ${e.worker} at ${seconds(e.at)}: ${e.what}`),
    ...(faults.length === 0 ? [] : [`    faults around it: ${faults.map(describeFault).join('; ')}`]),
  ];
}

export function summarizeEos(history: EosHistory, final: EosFinalState, result: EosCheckResult): string {
  const faults = new Map<string, number>();
  for (const f of history.faults) {
    // The nemesis notes what a targeted crash aimed at: `broker 2 (the transaction coordinator)`.
    const note = /\((the [a-z ]+?)(?: of .*)?\)$/.exec(f.target)?.[1];
    const kind = note === undefined ? f.kind : `${f.kind} ${note}`;
    faults.set(kind, (faults.get(kind) ?? 0) + 1);
  }
  const byRule = new Map<string, number>();
  for (const v of result.violations) byRule.set(v.rule, (byRule.get(v.rule) ?? 0) + 1);
  const t = result.transactions;
  const excerpted = new Set<string>();
  const lines = [
    `seed=${history.seed} input=${history.inputTopic} output=${history.outputTopic} group=${history.group}`,
    `inputs: ${result.inputs}; visible outputs: ${result.visibleOutputs}; output records stored (aborted ones included): ${final.storedOutputRecords}`,
    ...(result.kafkajsDiffers.extra + result.kafkajsDiffers.missing === 0
      ? []
      : [
          `kafkajs's read_committed consumer differs (not checked: it takes aborted transactions in abort order as first-offset order): ${result.kafkajsDiffers.extra} aborted records delivered, ${result.kafkajsDiffers.missing} committed ones missed`,
        ]),
    `transactions: ${history.transactions.length}; committed ${t.committed}, aborted ${t.aborted}, uncertain commits ${t.uncertainVisible + t.uncertainInvisible} (${t.uncertainVisible} visible, ${t.uncertainInvisible} not: either is allowed)${t.unfinished === 0 ? '' : `, unfinished ${t.unfinished}`}`,
    `group offsets: ${[...final.groupOffsets]
      .sort(([a], [b]) => a - b)
      .map(([p, o]) => `p${p} ${o}/${final.inputEnds.get(p) ?? '?'}`)
      .join(', ')}`,
    `faults: ${history.faults.length}${faults.size === 0 ? '' : ` (${[...faults].map(([k, n]) => `${k} ${n}`).join(', ')})`}`,
    result.violations.length === 0 ? 'violations: none' : `violations: ${result.violations.length} (seed=${history.seed}): ${[...byRule].map(([r, n]) => `${r} ${n}`).join(', ')}`,
    ...result.violations.slice(0, SHOWN).flatMap((v) => {
      // A history excerpt once per set of transactions: the duplicates of one retried transaction share it.
      const tags = v.tags.join(',');
      const first = !excerpted.has(tags);
      excerpted.add(tags);
      return [`  ${v.rule}: ${v.message}`, ...(first ? excerpt(history, v) : [])];
    }),
    ...(result.violations.length > SHOWN ? [`  ... and ${result.violations.length - SHOWN} more`] : []),
  ];
  return lines.join('\n');
}

export function eosFaultTimeline(history: EosHistory): string[] {
  return history.faults.map((f) => `  ${describeFault(f)}`);
}
