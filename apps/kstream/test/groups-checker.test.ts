// Issue 11's proof under faults, CI's short run: a group of kafkajs members
// consuming a 6-partition RF 3 topic and committing after each batch while
// the group nemesis injects a few faults (a broker crash or pause, the
// coordinator's broker crashed, a member killed without leaving), then a
// fresh member drains and the groups checker holds the history to its
// rules. The long run is `npm run faults -- --workload groups --seed N
// --faults 100`; a failure's message starts with the summary, whose first
// line is the seed that replays it.
import { describe, expect, it } from 'vitest';
import { runGroupFaults } from './checker/group-fault-run.test-support.js';

describe('consumer groups under faults', () => {
  it('groupOfThreeFourFaults: every acknowledged record reaches the group, committed offsets never go back, no partition skipped or shared in a generation', async () => {
    const run = await runGroupFaults({ seed: 20261112, faults: 4, members: 3, kinds: ['crash-coordinator', 'kill-consumer', 'pause', 'cut-link'] });
    console.log(run.summary);
    expect(run.result.violations, run.summary).toEqual([]);
    expect(run.drained, run.summary).toBe(true);
    expect(run.result.acknowledged, run.summary).toBeGreaterThan(0);
    expect(run.history.faults.map((f) => f.kind).sort(), run.summary).toEqual(expect.arrayContaining(['crash', 'kill-consumer']));
  }, 90_000);
});
