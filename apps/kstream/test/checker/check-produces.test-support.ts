// The produce rules: an acknowledged record is in the final log exactly at
// its acknowledged offset; a record refused before appending never appears;
// a producer's acknowledged records on one partition take offsets in the
// order they were acknowledged; and, across producers, a record sent after
// another was acknowledged lands above it.
import type { FinalState, LogRecord } from './final-state.test-support.js';
import type { ProduceOp } from './history.test-support.js';
import type { Violation } from './violation.test-support.js';

/** Each partition's final log by offset, and where every value is (partition, offsets). */
export interface LogIndex {
  readonly byOffset: ReadonlyMap<number, ReadonlyMap<bigint, string>>;
  readonly byValue: ReadonlyMap<string, ReadonlyArray<{ partition: number; offset: bigint }>>;
}

export function indexFinalLogs(final: FinalState): LogIndex {
  const byOffset = new Map<number, Map<bigint, string>>();
  const byValue = new Map<string, Array<{ partition: number; offset: bigint }>>();
  for (const [partition, { log }] of final.partitions) {
    byOffset.set(partition, new Map(log.map((r: LogRecord) => [r.offset, r.value])));
    for (const r of log) {
      const places = byValue.get(r.value) ?? [];
      places.push({ partition, offset: r.offset });
      byValue.set(r.value, places);
    }
  }
  return { byOffset, byValue };
}

function where(index: LogIndex, value: string): string {
  const places = index.byValue.get(value);
  return places === undefined ? 'it is nowhere in the final logs' : `it is at ${places.map((p) => `partition ${p.partition} offset ${p.offset}`).join(', ')}`;
}

export function checkAcknowledged(produces: readonly ProduceOp[], index: LogIndex): Violation[] {
  const violations: Violation[] = [];
  for (const op of produces) {
    if (op.outcome.kind !== 'ok') continue;
    const { offset } = op.outcome;
    const stored = index.byOffset.get(op.partition)?.get(offset);
    if (stored === op.value) continue;
    const there = stored === undefined ? 'nothing is there' : `${JSON.stringify(stored)} is there`;
    violations.push({
      rule: 'acknowledgedLost',
      partition: op.partition,
      offset,
      value: op.value,
      message: `${op.producer}'s record was acknowledged at offset ${offset}, but ${there}; ${where(index, op.value)}`,
    });
  }
  return violations;
}

export function checkDefiniteFailures(produces: readonly ProduceOp[], index: LogIndex): Violation[] {
  const violations: Violation[] = [];
  for (const op of produces) {
    if (op.outcome.kind !== 'definite') continue;
    for (const place of index.byValue.get(op.value) ?? []) {
      violations.push({
        rule: 'definiteFailureAppended',
        partition: place.partition,
        offset: place.offset,
        value: op.value,
        message: `${op.producer}'s produce was refused with ${op.outcome.error} (nothing appended), yet the record is in the log`,
      });
    }
  }
  return violations;
}

/**
 * Real-time order across producers: once a record is acknowledged at offset
 * o, it is committed, every later leader holds it, so any record sent after
 * that moment and acknowledged lands above o. A send that overlaps the
 * acknowledgement is not ordered with it (an equal time counts as overlap).
 */
export function checkRealTimeOrder(produces: readonly ProduceOp[]): Violation[] {
  const violations: Violation[] = [];
  for (const ops of acknowledgedBy(produces, (op) => op.partition).values()) {
    const events = [...ops.map((op) => ({ at: op.invokedAt, invoke: true, op })), ...ops.map((op) => ({ at: op.completedAt, invoke: false, op }))].sort(
      (a, b) => a.at - b.at || Number(b.invoke) - Number(a.invoke),
    );
    let highest: ProduceOp | null = null;
    const bounds = new Map<ProduceOp, ProduceOp>();
    for (const { invoke, op } of events) {
      if (invoke) {
        if (highest !== null) bounds.set(op, highest);
      } else if (highest === null || offsetOf(op) > offsetOf(highest)) {
        highest = op;
      }
    }
    for (const [op, earlier] of bounds) {
      if (offsetOf(op) > offsetOf(earlier)) continue;
      violations.push({
        rule: 'acknowledgedBelowEarlier',
        partition: op.partition,
        offset: offsetOf(op),
        value: op.value,
        message: `${op.producer} sent it at ${(op.invokedAt / 1000).toFixed(3)} s, after ${earlier.producer}'s ${JSON.stringify(earlier.value)} was acknowledged at offset ${offsetOf(earlier)} (${(earlier.completedAt / 1000).toFixed(3)} s)`,
      });
    }
  }
  return violations;
}

/** The acknowledged produces grouped by `key`, each group in history order (linear: a run holds hundreds of thousands). */
function acknowledgedBy<K>(produces: readonly ProduceOp[], key: (op: ProduceOp) => K): Map<K, ProduceOp[]> {
  const groups = new Map<K, ProduceOp[]>();
  for (const op of produces) {
    if (op.outcome.kind !== 'ok') continue;
    const group = groups.get(key(op));
    if (group === undefined) groups.set(key(op), [op]);
    else group.push(op);
  }
  return groups;
}

function offsetOf(op: ProduceOp): bigint {
  return (op.outcome as { offset: bigint }).offset;
}

export function checkAcknowledgedOrder(produces: readonly ProduceOp[]): Violation[] {
  const violations: Violation[] = [];
  for (const ops of acknowledgedBy(produces, (op) => `${op.producer}\0${op.partition}`).values()) {
    const acked = [...ops].sort((a, b) => a.completedAt - b.completedAt);
    for (let i = 1; i < acked.length; i++) {
      const before = acked[i - 1]!;
      const op = acked[i]!;
      const offset = (op.outcome as { offset: bigint }).offset;
      const previous = (before.outcome as { offset: bigint }).offset;
      if (offset > previous) continue;
      violations.push({
        rule: 'acknowledgedReordered',
        partition: op.partition,
        offset,
        value: op.value,
        message: `${op.producer} was acknowledged offset ${offset} after ${JSON.stringify(before.value)} at offset ${previous}`,
      });
    }
  }
  return violations;
}
