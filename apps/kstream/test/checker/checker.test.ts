// The checker's rules, each shown able to fail: a correct run passes, and a
// run broken in one way is reported by exactly the rule for it.
import { describe, expect, it } from 'vitest';
import { checkHistory } from './checker.test-support.js';
import type { FinalState, ReplicaLog } from './final-state.test-support.js';
import type { ProduceOp } from './history.test-support.js';
import { ModelRun } from './model-run.test-support.js';
import { summarize } from './summary.test-support.js';

function rules(run: ModelRun, final: FinalState = run.final(), produces?: ProduceOp[]): string[] {
  const history = produces === undefined ? run.history() : { ...run.history(), produces };
  return [...new Set(checkHistory(history, final).violations.map((v) => v.rule))];
}

/** The final state with one replica of one partition replaced. */
function withReplica(final: FinalState, partition: number, broker: number, change: (r: ReplicaLog) => ReplicaLog): FinalState {
  const p = final.partitions.get(partition)!;
  const replicas = p.replicas.map((r) => (r.broker === broker ? change(r) : r));
  return { partitions: new Map([...final.partitions, [partition, { ...p, replicas }]]) };
}

/** A run with every kind of outcome on two partitions, reads, and a fault. */
function mixedRun(): ModelRun {
  const run = new ModelRun(2);
  run.produce('own-1', 0, 'ok');
  run.produce('own-2', 0, 'ok');
  run.fault('crash', 'broker 2');
  run.produce('own-1', 0, 'definite');
  run.produce('own-1', 0, 'found');
  run.produce('own-2', 0, 'lost');
  run.produce('own-1', 1, 'ok');
  run.produce('kafkajs-1', 1, 'resent');
  run.produce('own-2', 1, 'ok');
  run.read('fetch-0', 0, 0);
  run.read('fetch-0', 0, 2);
  run.read('fetch-1', 1, 1);
  return run;
}

describe('checker', () => {
  it('cleanRunPasses: every outcome, reads, a kafkajs resend and a lagging replica out of the ISR report nothing', () => {
    const run = mixedRun();
    const result = checkHistory(run.history(), run.final([{ partition: 1, broker: 3, upTo: 2 }]));
    expect(result.violations).toEqual([]);
    expect([result.acknowledged, result.definiteFailures, result.indeterminateFound, result.indeterminateLost]).toEqual([5, 1, 1, 1]);
    expect([...result.acknowledgedByPartition]).toEqual([
      [0, 2],
      [1, 3],
    ]);
    expect(result.kafkajsResends).toBe(1);
    expect(result.faultsByKind.get('crash')).toBe(1);
  });

  it('acknowledgedRecordLost: an acknowledged record missing from the log, later ones moved down (and so the read of one of them)', () => {
    const run = mixedRun();
    run.logs[0]!.splice(1, 1);
    expect(rules(run)).toEqual(['acknowledgedLost', 'readVanished']);
  });

  it('acknowledgedTailLost: the last acknowledged record of a partition gone', () => {
    const run = new ModelRun(1);
    run.produce('own-1', 0, 'ok');
    run.produce('own-1', 0, 'ok');
    run.logs[0]!.pop();
    expect(rules(run)).toEqual(['acknowledgedLost']);
  });

  it('definiteFailureAppended: a record refused with NOT_ENOUGH_REPLICAS is in the log', () => {
    const run = mixedRun();
    const refused = run.produces.find((op) => op.outcome.kind === 'definite')!;
    run.logs[0]!.push(refused.value);
    expect(rules(run)).toEqual(['definiteFailureAppended']);
  });

  it('acknowledgedReordered: a producer acknowledged a lower offset after a higher one on the same partition', () => {
    const run = new ModelRun(1);
    const first = run.produce('own-1', 0, 'ok');
    const second = run.produce('own-1', 0, 'ok');
    // Pipelined: the first send is answered after the second, at the lower offset.
    const swapped = [{ ...first, completedAt: second.completedAt + 10 }, second];
    expect(rules(run, run.final(), swapped)).toEqual(['acknowledgedReordered']);
  });

  it('otherProducersInterleave: acknowledgement order is per producer, so two producers interleaving is no violation', () => {
    const run = new ModelRun(1);
    const a = run.produce('own-1', 0, 'ok');
    const b = run.produce('own-2', 0, 'ok');
    expect(rules(run, run.final(), [{ ...a, completedAt: b.completedAt + 1 }, b])).toEqual([]);
  });

  it("acknowledgedBelowEarlier: a record sent after another producer's was acknowledged lands below it", () => {
    const run = new ModelRun(1);
    const first = run.produce('own-1', 0, 'ok');
    const second = run.produce('own-2', 0, 'ok');
    run.logs[0]!.reverse();
    const produces = [
      { ...first, outcome: { kind: 'ok' as const, offset: 1n } },
      { ...second, outcome: { kind: 'ok' as const, offset: 0n } },
    ];
    expect(rules(run, run.final(), produces)).toEqual(['acknowledgedBelowEarlier']);
  });

  it('overlappingSendsUnordered: two sends overlapping in time may land in either order', () => {
    const run = new ModelRun(1);
    const first = run.produce('own-1', 0, 'ok');
    const second = run.produce('own-2', 0, 'ok');
    run.logs[0]!.reverse();
    const produces = [
      { ...first, completedAt: second.completedAt, outcome: { kind: 'ok' as const, offset: 1n } },
      { ...second, invokedAt: first.invokedAt, outcome: { kind: 'ok' as const, offset: 0n } },
    ];
    expect(rules(run, run.final(), produces)).toEqual([]);
  });

  it('readVanished: a consumer read a record the final log no longer holds', () => {
    const run = new ModelRun(1);
    run.produce('own-1', 0, 'ok');
    run.produce('own-1', 0, 'found');
    run.read('fetch-0', 0, 1);
    run.logs[0]!.pop();
    expect(rules(run)).toEqual(['readVanished']);
  });

  it('duplicated: a value of our own producer stored twice', () => {
    const run = mixedRun();
    run.logs[0]!.push(run.produces[0]!.value);
    expect(rules(run)).toEqual(['duplicated']);
  });

  it('unknownValue: a value nobody produced', () => {
    const run = mixedRun();
    run.logs[1]!.push('phantom');
    expect(rules(run)).toEqual(['unknownValue']);
  });

  it('replicasDiverge: an out-of-sync replica holds another record below its own high watermark', () => {
    const run = mixedRun();
    const final = withReplica(run.final([{ partition: 0, broker: 2, upTo: 2 }]), 0, 2, (r) => ({
      ...r,
      batches: r.batches.map((b) => (b.baseOffset === 1n ? { ...b, records: [{ offset: 1n, value: 'other' }] } : b)),
    }));
    expect(rules(run, final)).toEqual(['replicasDiverge']);
  });

  it('divergentTailAboveHighWatermark: a replica out of the ISR may hold another record above its own high watermark', () => {
    const run = mixedRun();
    const final = withReplica(run.final(), 0, 2, (r) => ({
      ...r,
      inSync: false,
      highWatermark: 1n,
      batches: r.batches.map((b) => (b.baseOffset === 1n ? { ...b, records: [{ offset: 1n, value: 'uncommitted' }], bytes: Buffer.from('x') } : b)),
    }));
    expect(rules(run, final)).toEqual([]);
  });

  it('replicaNotIdentical: an in-sync replica holds the same records in other bytes below the high watermark', () => {
    const run = mixedRun();
    const final = withReplica(run.final(), 1, 3, (r) => ({ ...r, batches: r.batches.map((b, i) => (i === 1 ? { ...b, bytes: Buffer.from('flipped') } : b)) }));
    expect(rules(run, final)).toEqual(['replicaNotIdentical']);
  });

  it('inSyncReplicaShort: an in-sync replica ends below the high watermark', () => {
    const run = mixedRun();
    const final = withReplica(run.final(), 1, 2, (r) => ({ ...r, batches: r.batches.slice(0, -1) }));
    expect(rules(run, final)).toEqual(['replicaNotIdentical']);
  });

  it("leaderShortOnDisk: the leader's own replica ends below the high watermark it served", () => {
    const run = mixedRun();
    const final = withReplica(run.final(), 1, 1, (r) => ({ ...r, batches: r.batches.slice(0, -1) }));
    expect(rules(run, final)).toContain('replicaNotIdentical');
  });

  it('summaryNamesSeedAndFaultsAround: a violation is listed with its partition, offset, value and the faults around it', () => {
    const run = new ModelRun(1);
    run.produce('own-1', 0, 'ok');
    run.fault('pause', 'broker 3');
    const lost = run.produce('own-1', 0, 'ok');
    run.logs[0]!.pop();
    const history = run.history();
    const text = summarize(history, checkHistory(history, run.final()));
    expect(text).toContain('seed=42');
    expect(text).toContain('violations: 1 (seed=42)');
    expect(text).toContain(`acknowledgedLost: checked-0 offset 1 value ${JSON.stringify(lost.value)}`);
    expect(text).toMatch(/faults around it: pause broker 3 at 0\.0 s/);
  });

  it('summaryCountsErrors: the produces not acknowledged are counted by outcome and error, numbers folded', () => {
    const run = mixedRun();
    run.produce('own-1', 1, 'lost');
    const text = summarize(run.history(), checkHistory(run.history(), run.final()));
    expect(text).toContain('not acknowledged: 3 indeterminate REQUEST_TIMED_OUT; 1 definite NOT_ENOUGH_REPLICAS');
  });
});
