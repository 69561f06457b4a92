// Issue 13's proof under faults, CI's short run: consume-transform-produce
// workers (a kafkajs consumer in a group, read_committed, and a kafkajs
// transactional producer per input partition they own) turn a pre-filled
// input of a few thousand uniquely numbered records into outputs, each
// batch in one transaction with its offsets, while the nemesis crashes the
// transaction coordinator's broker, a partition leader's and the group
// coordinator's, and freezes a worker before its commit until the group has
// moved its partitions (a zombie its successor must fence). Then a fresh read_committed consumer reads the output and the
// EOS checker holds it to exactly once: every input once, nothing aborted
// visible, no transaction torn, offsets at the input's end. The long run is
// `npm run faults -- --workload eos --records 100000 --faults N --seed S`; a
// failure's message starts with the summary, whose first line is the seed.
import { describe, expect, it } from 'vitest';
import { runEosFaults } from './checker/eos-fault-run.test-support.js';

describe('exactly once under faults', () => {
  it('threeWorkersCoordinatorsAndALeaderCrashedAndAZombie: every input exactly once in the committed output, no aborted or torn transaction visible, offsets at the end', async () => {
    // The crashes first and the 12 s freeze last, 10 records a transaction: on a quiet machine the workers, 20 records a
    // transaction with the freeze second, finished the input after two faults.
    const sequence = ['crash-txn-coordinator', 'crash-leader', 'crash-group-coordinator', 'freeze-worker'] as const;
    // Each phase is printed as it ends, so a run that never ends shows where it stopped.
    const run = await runEosFaults({
      seed: 20261313,
      faults: sequence.length,
      sequence,
      records: 3_000,
      workers: 3,
      recordsPerTransaction: 10,
      log: (line) => console.log(`eos-checker: ${line}`),
    });
    console.log(run.summary);
    expect(run.result.violations, run.summary).toEqual([]);
    expect(run.drained, run.summary).toBe(true);
    expect(run.result.transactions.committed, run.summary).toBeGreaterThan(0);
    expect(run.history.faults.length, run.summary).toBe(sequence.length);
  }, 150_000);
});
