// The delivery rules of a group: every acknowledged record reaches the group
// at least once; no offset of the final log is skipped (the union of what
// the members delivered covers it); and a member given a partition starts
// at or below what was committed for it, never past it.
import type { LogRecord } from './final-state.test-support.js';
import type { CommitOp, Delivery } from './group-history.test-support.js';
import type { GroupViolation } from './group-violation.test-support.js';
import type { ProduceOp } from './history.test-support.js';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function checkAcknowledgedDelivered(produces: readonly ProduceOp[], deliveries: readonly Delivery[]): GroupViolation[] {
  const delivered = new Set(deliveries.map((d) => d.value));
  return produces
    .filter((op) => op.outcome.kind === 'ok' && !delivered.has(op.value))
    .map((op) => ({
      rule: 'acknowledgedNotDelivered' as const,
      partition: op.partition,
      offset: op.outcome.kind === 'ok' ? op.outcome.offset : null,
      value: op.value,
      at: op.completedAt,
      message: `${op.producer}'s record was acknowledged at ${seconds(op.completedAt)}; no member delivered it`,
    }));
}

/** Each partition's offsets of the final log that no delivery covers, as ranges [from, to]. */
export function checkNoSkippedOffsets(finalLogs: ReadonlyMap<number, readonly LogRecord[]>, deliveries: readonly Delivery[]): GroupViolation[] {
  const delivered = new Map<number, Set<bigint>>();
  for (const d of deliveries) {
    const offsets = delivered.get(d.partition) ?? new Set<bigint>();
    offsets.add(d.offset);
    delivered.set(d.partition, offsets);
  }
  const violations: GroupViolation[] = [];
  for (const [partition, log] of finalLogs) {
    const seen = delivered.get(partition) ?? new Set<bigint>();
    let hole: LogRecord[] = [];
    const flush = (): void => {
      if (hole.length === 0) return;
      const first = hole[0]!;
      const last = hole.at(-1)!;
      violations.push({
        rule: 'skippedOffsets',
        partition,
        offset: first.offset,
        value: first.value,
        message: `no member delivered offsets ${first.offset}..${last.offset} (${hole.length} records) of the final log`,
      });
      hole = [];
    };
    for (const record of log) {
      if (seen.has(record.offset)) flush();
      else hole.push(record);
    }
    flush();
  }
  return violations;
}

/**
 * A member's first delivery of a partition in a generation is at or below
 * the highest offset any commit that may have been written had carried by
 * then (acknowledged or indeterminate, begun before the delivery), or 0, or
 * right after the last record the same consumer delivered of the partition
 * before. A member starts from OffsetFetch's answer, which only such a
 * commit can have set, or goes on from its own position (kafkajs keeps a
 * client's committed offsets across generations and fetches only those it
 * lacks, and a batch fetched in the old generation may be processed after
 * the new one's SyncGroup answer); starting higher skips the records between.
 */
export function checkStartsAtCommitted(deliveries: readonly Delivery[], commits: readonly CommitOp[]): GroupViolation[] {
  const firsts = new Map<string, Delivery>();
  const own = new Map<string, Delivery[]>();
  for (const d of deliveries) {
    const key = `${d.memberId}\u0000${d.generation}\u0000${d.partition}`;
    const seen = firsts.get(key);
    if (seen === undefined || d.offset < seen.offset) firsts.set(key, d);
    const mine = own.get(`${d.consumer}\u0000${d.partition}`) ?? [];
    mine.push(d);
    own.set(`${d.consumer}\u0000${d.partition}`, mine);
  }
  const applicable = commits.filter((c) => c.outcome.kind !== 'refused');
  const violations: GroupViolation[] = [];
  for (const first of firsts.values()) {
    let allowed = 0n;
    for (const c of applicable) if (c.partition === first.partition && c.invokedAt < first.at && c.offset > allowed) allowed = c.offset;
    let position = -1n;
    for (const d of own.get(`${first.consumer}\u0000${first.partition}`)!) if (d.at < first.at && d.offset + 1n > position) position = d.offset + 1n;
    if (first.offset <= allowed || first.offset === position) continue;
    violations.push({
      rule: 'startedPastCommitted',
      partition: first.partition,
      offset: first.offset,
      value: first.value,
      at: first.at,
      message: `${first.consumer} (member ${first.memberId}, generation ${first.generation}) began the partition at offset ${first.offset} at ${seconds(first.at)}; the highest offset committed by then was ${allowed}${position < 0n ? ', and it had delivered none of the partition before' : `, and its own position was ${position}`}`,
    });
  }
  return violations;
}
