// The groups checker: pure functions over a groups fault run's history and
// the topic's final logs (read from the leaders after healing). It keeps two
// of the replication checker's rules (an acknowledged record is at its
// offset; a delivered record is where it was delivered from) and adds the
// group's own (check-group-deliveries, check-group-offsets). No violation is
// a pass.
import { checkReads } from './check-log.test-support.js';
import { checkAcknowledged, indexFinalLogs } from './check-produces.test-support.js';
import { checkAcknowledgedDelivered, checkNoSkippedOffsets, checkStartsAtCommitted } from './check-group-deliveries.test-support.js';
import { checkAssignments, checkCommittedMonotonic, checkFetchedWereCommitted, checkStaleGenerationsRefused } from './check-group-offsets.test-support.js';
import type { FinalPartition, LogRecord } from './final-state.test-support.js';
import type { GroupHistory } from './group-history.test-support.js';
import type { GroupViolation } from './group-violation.test-support.js';

export interface GroupCheckResult {
  readonly violations: readonly GroupViolation[];
  readonly acknowledged: number;
  /** Records delivered, and how many of them were deliveries again of an offset already delivered (at least once allows them). */
  readonly deliveries: number;
  readonly redeliveries: number;
  readonly commits: { readonly ok: number; readonly refused: number; readonly indeterminate: number };
  readonly offsetSamples: number;
  /** Generations some member was given an assignment in. */
  readonly generations: number;
  readonly members: number;
}

export function checkGroupHistory(history: GroupHistory, finalLogs: ReadonlyMap<number, readonly LogRecord[]>): GroupCheckResult {
  const partitions = new Map<number, FinalPartition>([...finalLogs].map(([p, log]) => [p, { log, highWatermark: BigInt(log.length), leader: -1, replicas: [] }]));
  const index = indexFinalLogs({ partitions });
  const reads = history.deliveries.map((d) => ({ consumer: d.consumer, partition: d.partition, offset: d.offset, value: d.value, at: d.at }));
  const violations: GroupViolation[] = [
    ...checkAcknowledged(history.produces, index),
    ...checkReads(reads, index),
    ...checkAcknowledgedDelivered(history.produces, history.deliveries),
    ...checkNoSkippedOffsets(finalLogs, history.deliveries),
    ...checkStartsAtCommitted(history.deliveries, history.commits),
    ...checkCommittedMonotonic(history.commits, history.offsetSamples),
    ...checkFetchedWereCommitted(history.commits, history.offsetSamples),
    ...checkStaleGenerationsRefused(history.commits, history.assignments),
    ...checkAssignments(history.assignments, history.deliveries),
  ];
  const distinct = new Set(history.deliveries.map((d) => `${d.partition}:${d.offset}`));
  const commits = { ok: 0, refused: 0, indeterminate: 0 };
  for (const c of history.commits) commits[c.outcome.kind]++;
  return {
    violations,
    acknowledged: history.produces.filter((op) => op.outcome.kind === 'ok').length,
    deliveries: history.deliveries.length,
    redeliveries: history.deliveries.length - distinct.size,
    commits,
    offsetSamples: history.offsetSamples.length,
    generations: new Set(history.assignments.map((a) => a.generation)).size,
    members: new Set(history.assignments.map((a) => a.memberId)).size,
  };
}
