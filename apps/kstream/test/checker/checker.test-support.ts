// The acknowledged-write checker: pure functions over a fault run's history
// and its final state, Jepsen's Kafka checker cut down to what issue 10
// promises (acks=all, min.insync.replicas=2, at most one of three replicas
// failing). Every rule's verdict is a list of violations; none is a pass.
import { checkAcknowledged, checkAcknowledgedOrder, checkDefiniteFailures, checkRealTimeOrder, indexFinalLogs } from './check-produces.test-support.js';
import { checkReads, checkValues } from './check-log.test-support.js';
import { checkInSyncBytes, checkReplicasAgree } from './check-replicas.test-support.js';
import type { FinalState } from './final-state.test-support.js';
import type { FaultKind, History } from './history.test-support.js';
import type { Violation } from './violation.test-support.js';

export interface CheckResult {
  readonly violations: readonly Violation[];
  readonly acknowledged: number;
  /** Acknowledged records per partition. */
  readonly acknowledgedByPartition: ReadonlyMap<number, number>;
  readonly definiteFailures: number;
  /** Indeterminate produces whose record is in the final log, and those whose record is not (allowed). */
  readonly indeterminateFound: number;
  readonly indeterminateLost: number;
  /** Values of kafkajs sends stored more than once (kafkajs resent them itself): counted, not violations. */
  readonly kafkajsResends: number;
  readonly reads: number;
  readonly faultsByKind: ReadonlyMap<FaultKind, number>;
}

export function checkHistory(history: History, final: FinalState): CheckResult {
  const index = indexFinalLogs(final);
  const values = checkValues(history.produces, index);
  const violations = [
    ...checkAcknowledged(history.produces, index),
    ...checkDefiniteFailures(history.produces, index),
    ...checkAcknowledgedOrder(history.produces),
    ...checkRealTimeOrder(history.produces),
    ...checkReads(history.reads, index),
    ...values.violations,
    ...[...final.partitions].flatMap(([partition, p]) => [...checkReplicasAgree(partition, p), ...checkInSyncBytes(partition, p)]),
  ];
  const acknowledgedByPartition = new Map<number, number>([...final.partitions.keys()].map((p) => [p, 0]));
  let definiteFailures = 0;
  let indeterminateFound = 0;
  let indeterminateLost = 0;
  for (const op of history.produces) {
    if (op.outcome.kind === 'ok') acknowledgedByPartition.set(op.partition, (acknowledgedByPartition.get(op.partition) ?? 0) + 1);
    else if (op.outcome.kind === 'definite') definiteFailures++;
    else if (index.byValue.has(op.value)) indeterminateFound++;
    else indeterminateLost++;
  }
  const faultsByKind = new Map<FaultKind, number>();
  for (const f of history.faults) faultsByKind.set(f.kind, (faultsByKind.get(f.kind) ?? 0) + 1);
  return {
    violations,
    acknowledged: [...acknowledgedByPartition.values()].reduce((a, b) => a + b, 0),
    acknowledgedByPartition,
    definiteFailures,
    indeterminateFound,
    indeterminateLost,
    kafkajsResends: values.duplicates.kafkajsResends,
    reads: history.reads.length,
    faultsByKind,
  };
}
