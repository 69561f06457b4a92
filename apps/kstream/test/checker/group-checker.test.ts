// The groups checker's rules, each shown able to fail: a correct run (with
// redeliveries, a rebalance, an old generation's permitted overlap, refused
// and indeterminate commits) passes, and a run broken in one way is reported
// by exactly the rules for it.
import { describe, expect, it } from 'vitest';
import { checkGroupHistory } from './group-checker.test-support.js';
import { GroupModelRun } from './group-model-run.test-support.js';
import { summarizeGroups } from './group-summary.test-support.js';

function rules(run: GroupModelRun): string[] {
  return [...new Set(checkGroupHistory(run.history(), run.finalLogs()).violations.map((v) => v.rule))];
}

/** Two partitions, two generations: member a has both in generation 1, then a keeps 0 and b takes 1 in generation 2. */
function rebalancedRun(): GroupModelRun {
  const run = new GroupModelRun(2);
  run.produce(0, 6);
  run.produce(0, 1, 'found');
  run.produce(1, 4);
  run.produce(1, 1, 'lost');
  run.assign('a', 1, [0, 1]);
  run.deliver('a', 1, 0, 0, 3);
  run.commit('a', 1, 0, 4);
  run.deliver('a', 1, 1, 0, 1);
  run.commit('a', 1, 1, 2);
  run.assign('a', 2, [0]);
  run.assign('b', 2, [1]);
  // a has not heard of generation 2 yet: its commit is refused, its fetch of partition 1 goes on (the overlap a rebalance permits).
  run.commit('a', 1, 0, 5, { kind: 'refused', error: 'ILLEGAL_GENERATION' });
  run.deliver('a', 1, 1, 2, 2);
  run.sample(1, 2);
  run.deliver('b', 2, 1, 2, 3);
  run.commit('b', 2, 1, 4);
  run.deliver('a', 2, 0, 4, 6);
  run.commit('a', 2, 0, 7, { kind: 'indeterminate', error: 'REQUEST_TIMED_OUT' });
  run.sample(0, 7);
  run.sample(1, 4);
  return run;
}

function without(run: GroupModelRun, partition: number, offset: number): GroupModelRun {
  const kept = run.deliveries.filter((d) => !(d.partition === partition && d.offset === BigInt(offset)));
  run.deliveries.splice(0, run.deliveries.length, ...kept);
  return run;
}

describe('groups checker', () => {
  it('cleanRebalancedRunPasses: redeliveries, an old generation fetching on, refused and indeterminate commits report nothing', () => {
    const run = rebalancedRun();
    const result = checkGroupHistory(run.history(), run.finalLogs());
    expect(result.violations).toEqual([]);
    expect([result.acknowledged, result.deliveries, result.redeliveries]).toEqual([10, 12, 1]);
    expect(result.commits).toEqual({ ok: 3, refused: 1, indeterminate: 1 });
    expect([result.generations, result.members, result.offsetSamples]).toEqual([2, 2, 3]);
  });

  it('acknowledgedNeverDelivered: an acknowledged record no member delivered is also a hole', () => {
    expect(rules(without(rebalancedRun(), 0, 5))).toEqual(['acknowledgedNotDelivered', 'skippedOffsets']);
  });

  it('unacknowledgedRecordSkipped: a record whose produce was indeterminate but is in the log must be delivered too', () => {
    expect(rules(without(rebalancedRun(), 0, 6))).toEqual(['skippedOffsets']);
  });

  it('startedPastTheCommit: b begins partition 1 at 3 with 2 committed (a delivered 2 meanwhile, so nothing is skipped)', () => {
    const run = without(rebalancedRun(), 1, 2);
    run.deliver('a', 1, 1, 2, 2);
    const b = run.deliveries.filter((d) => d.consumer === 'b' && d.offset === 2n);
    expect(b).toHaveLength(0);
    expect(rules(run)).toEqual(['startedPastCommitted']);
  });

  it('continuesItsOwnPosition: a in generation 2 goes on from its own position in partition 0 (past every commit) — no skip', () => {
    const run = new GroupModelRun(1);
    run.produce(0, 6);
    run.assign('a', 1, [0]);
    run.deliver('a', 1, 0, 0, 3);
    run.commit('a', 1, 0, 2);
    run.assign('a', 2, [0]);
    run.deliver('a', 2, 0, 4, 5);
    run.commit('a', 2, 0, 6);
    expect(rules(run)).toEqual([]);
  });

  it('skipsPastItsOwnPosition: a in generation 2 jumps from its position 4 to 5 — an acknowledged record never delivered, a hole, a start past the commit', () => {
    const run = new GroupModelRun(1);
    run.produce(0, 6);
    run.assign('a', 1, [0]);
    run.deliver('a', 1, 0, 0, 3);
    run.commit('a', 1, 0, 2);
    run.assign('a', 2, [0]);
    run.deliver('a', 2, 0, 5, 5);
    run.commit('a', 2, 0, 6);
    expect(rules(run)).toEqual(['acknowledgedNotDelivered', 'skippedOffsets', 'startedPastCommitted']);
  });

  it('fetchBelowAnAcknowledgedCommit: OffsetFetch answers 2 after the commit of 4 was acknowledged', () => {
    const run = rebalancedRun();
    run.sample(1, 2);
    expect(rules(run)).toEqual(['committedWentBackward']);
  });

  it('commitLostAfterAMove: OffsetFetch answers none (-1) after commits were acknowledged', () => {
    const run = rebalancedRun();
    run.sample(0, -1);
    expect(rules(run)).toEqual(['committedWentBackward']);
  });

  it('acknowledgedCommitBelowAnEarlierOne: a commit of 3 acknowledged after the commit of 4 was', () => {
    const run = rebalancedRun();
    run.commit('b', 2, 1, 3);
    expect(rules(run)).toEqual(['committedWentBackward']);
  });

  it('fetchedOffsetNobodyCommitted: OffsetFetch answers 9, which no commit carried', () => {
    const run = rebalancedRun();
    run.sample(0, 9);
    expect(rules(run)).toEqual(['fetchedUncommitted']);
  });

  it('refusedCommitApplied: OffsetFetch answers the offset of a commit refused ILLEGAL_GENERATION', () => {
    const run = new GroupModelRun(1);
    run.produce(0, 3);
    run.assign('a', 1, [0]);
    run.deliver('a', 1, 0, 0, 2);
    run.commit('a', 1, 0, 3, { kind: 'refused', error: 'ILLEGAL_GENERATION' });
    run.sample(0, 3);
    expect(rules(run)).toEqual(['fetchedUncommitted']);
  });

  it('staleGenerationAccepted: a commit of generation 1 begun after generation 2 was synced is acknowledged', () => {
    const run = rebalancedRun();
    run.commit('a', 1, 0, 7);
    expect(rules(run)).toEqual(['staleGenerationCommitAccepted']);
  });

  it('samePartitionTwiceInAGeneration: SyncGroup gives partition 0 to b as well in generation 2', () => {
    const run = rebalancedRun();
    run.assign('b', 2, [0, 1]);
    expect(rules(run)).toEqual(['assignedTwice']);
  });

  it('deliveredOutsideItsShare: b delivers partition 0 in generation 2, where it was given only 1', () => {
    const run = rebalancedRun();
    run.deliver('b', 2, 0, 4, 6);
    expect(rules(run)).toEqual(['consumedOutsideAssignment']);
  });

  it('summaryStartsWithTheSeed: the seed, the counts and each violation with its rule', () => {
    const run = rebalancedRun();
    run.sample(0, 9);
    const summary = summarizeGroups(run.history(), checkGroupHistory(run.history(), run.finalLogs()));
    expect(summary.split('\n')[0]).toBe('seed=42 topic=checked group=checked-group');
    expect(summary).toContain('violations: 1 (seed=42): fetchedUncommitted 1');
    expect(summary).toContain('fetchedUncommitted: checked-0 offset 9: OffsetFetch by sampler');
  });
});
