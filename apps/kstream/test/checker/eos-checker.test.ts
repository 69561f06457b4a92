// The EOS checker's rules, each shown able to fail: a correct run (with an
// aborted transaction retried, and uncertain commits that went each way)
// passes, and a run broken in one way is reported by exactly the rule for it.
import { describe, expect, it } from 'vitest';
import { checkEos } from './eos-checker.test-support.js';
import type { EosFinalState, EosHistory, InputRecord, OutputRecord, TxnAttempt, TxnOutcome } from './eos-history.test-support.js';
import { summarizeEos } from './eos-summary.test-support.js';

/** Two input partitions of 6 records (ids p*100 + offset), two output partitions (by input id's parity), transactions of 3 records. */
class EosModelRun {
  readonly inputs: InputRecord[] = [];
  readonly transactions: TxnAttempt[] = [];
  readonly output: OutputRecord[] = [];
  readonly groupOffsets = new Map<number, bigint>([
    [0, 0n],
    [1, 0n],
  ]);
  /** The log's own committed view when it differs from what the consumer read. */
  logView: OutputRecord[] | undefined;
  #clock = 0;
  #attempt = 0;

  constructor() {
    for (const partition of [0, 1]) for (let offset = 0; offset < 6; offset++) this.inputs.push({ partition, offset: BigInt(offset), id: partition * 100 + offset });
  }

  /** One transaction of worker `worker` over input `partition`'s offsets [from, from + 3); visible (outputs written and the offsets committed) as a correct broker would show it. */
  txn(worker: string, partition: number, from: number, outcome: TxnOutcome, visible = outcome.kind === 'committed'): TxnAttempt {
    const inputs = [0, 1, 2].map((i) => partition * 100 + from + i);
    const t: TxnAttempt = {
      tag: `${worker}.${++this.#attempt}`,
      worker,
      transactionalId: `eos-${partition}`,
      inputPartition: partition,
      inputs,
      firstOffset: BigInt(from),
      lastOffset: BigInt(from + 2),
      committedOffset: BigInt(from + 3),
      startedAt: (this.#clock += 10),
      endedAt: (this.#clock += 10),
      outcome,
    };
    this.transactions.push(t);
    if (visible) {
      for (const id of inputs) this.show(id, t.tag);
      this.groupOffsets.set(partition, t.committedOffset);
    }
    return t;
  }

  show(inputId: number, tag: string): void {
    const partition = inputId % 2;
    this.output.push({ partition, offset: BigInt(this.output.filter((o) => o.partition === partition).length), inputId, tag });
  }

  history(): EosHistory {
    return { seed: 1, inputTopic: 'in', outputTopic: 'out', group: 'g', inputs: this.inputs, transactions: this.transactions, workerEvents: [], faults: [] };
  }

  final(): EosFinalState {
    return {
      committedOutput: this.output,
      kafkajsCommittedOutput: this.output,
      logCommittedOutput: this.logView ?? this.output,
      storedOutputRecords: this.output.length,
      groupOffsets: this.groupOffsets,
      inputEnds: new Map([
        [0, 6n],
        [1, 6n],
      ]),
    };
  }
}

const COMMITTED: TxnOutcome = { kind: 'committed' };
const FENCED: TxnOutcome = { kind: 'aborted', error: 'INVALID_PRODUCER_EPOCH' };
const TIMED_OUT: TxnOutcome = { kind: 'uncertain', error: 'REQUEST_TIMED_OUT' };

/** Partition 0: a-1 aborted then b retried it, then an uncertain commit that landed. Partition 1: an uncertain commit that did not land, retried. */
function cleanRun(): EosModelRun {
  const run = new EosModelRun();
  run.txn('a', 0, 0, FENCED);
  run.txn('b', 0, 0, COMMITTED);
  run.txn('b', 0, 3, TIMED_OUT, true);
  run.txn('a', 1, 0, TIMED_OUT, false);
  run.txn('a', 1, 0, COMMITTED);
  run.txn('a', 1, 3, COMMITTED);
  return run;
}

function rules(run: EosModelRun): string[] {
  return [...new Set(checkEos(run.history(), run.final()).violations.map((v) => v.rule))];
}

describe('EOS checker', () => {
  it('cleanRunWithRetriesAndUncertainCommitsPasses: an aborted transaction retried, uncertain commits either way', () => {
    const run = cleanRun();
    const result = checkEos(run.history(), run.final());
    expect(result.violations).toEqual([]);
    expect(result.transactions).toEqual({ committed: 3, aborted: 1, uncertainVisible: 1, uncertainInvisible: 1, unfinished: 0 });
    expect(summarizeEos(run.history(), run.final(), result)).toMatch(/^seed=1 .*\n.*\n.*committed 3, aborted 1, uncertain commits 2 \(1 visible, 1 not/);
  });

  it('inputLost: a committed transaction missing altogether is lost input and an invisible commit', () => {
    const run = new EosModelRun();
    run.txn('a', 0, 0, COMMITTED);
    run.txn('a', 0, 3, COMMITTED, false);
    run.groupOffsets.set(0, 6n);
    run.txn('a', 1, 0, COMMITTED);
    run.txn('a', 1, 3, COMMITTED);
    expect(rules(run)).toEqual(['inputLost', 'committedInvisible', 'offsetsApartFromOutputs']);
  });

  it('inputDuplicated: an uncertain commit that landed and its retry both visible', () => {
    const run = cleanRun();
    run.txn('c', 0, 3, COMMITTED);
    expect(rules(run)).toEqual(['inputDuplicated']);
  });

  it('inputDuplicated: one output stored twice inside one transaction (a produce retry written again)', () => {
    const run = cleanRun();
    run.show(1, run.transactions[1]!.tag);
    expect(rules(run)).toEqual(['inputDuplicated']);
  });

  it('abortedVisible: a fenced transaction read by read_committed, whose retry makes duplicates too', () => {
    const run = cleanRun();
    for (const id of run.transactions[0]!.inputs) run.show(id, run.transactions[0]!.tag);
    expect(rules(run)).toEqual(['inputDuplicated', 'abortedVisible']);
  });

  it('tornTransaction: one output of a committed transaction hidden (its partition marker lost)', () => {
    const run = cleanRun();
    const hidden = run.output.findIndex((o) => o.inputId === 4);
    run.output.splice(hidden, 1);
    expect(rules(run)).toEqual(['inputLost', 'tornTransaction']);
  });

  it('tornTransaction: an uncertain commit visible in part is torn, not forgiven', () => {
    const run = cleanRun();
    run.output.splice(
      run.output.findIndex((o) => o.inputId === 5),
      1,
    );
    expect(rules(run)).toEqual(['inputLost', 'tornTransaction']);
  });

  it('unknownOutput: an output whose tag no worker used, or an input its transaction did not read', () => {
    const run = cleanRun();
    run.output.push({ partition: 0, offset: 99n, inputId: 0, tag: 'z.1' });
    run.output.push({ partition: 1, offset: 99n, inputId: 101, tag: run.transactions[1]!.tag });
    expect(rules(run)).toEqual(['unknownOutput']);
  });

  it('offsetsShort and offsetsApartFromOutputs: the last transaction visible but its offsets not committed', () => {
    const run = cleanRun();
    run.groupOffsets.set(1, 3n);
    expect(rules(run)).toEqual(['offsetsShort', 'offsetsApartFromOutputs']);
  });

  it('readCommittedMismatch: the consumer missed a committed record (an aborted transaction listed over it), and saw one the log never committed', () => {
    const run = cleanRun();
    run.logView = [...run.output];
    const hidden = run.output.findIndex((o) => o.inputId === 101);
    run.output.splice(hidden, 1);
    run.logView.push({ partition: 0, offset: 50n, inputId: 102, tag: run.transactions[3]!.tag });
    expect(rules(run)).toEqual(['inputLost', 'tornTransaction', 'readCommittedMismatch']);
  });

  it('summaryPrintsTheSeedFirstAndEachViolationsTransactions', () => {
    const run = cleanRun();
    run.txn('c', 0, 3, COMMITTED);
    const result = checkEos(run.history(), run.final());
    const summary = summarizeEos(run.history(), run.final(), result);
    expect(summary.split('\n')[0]).toBe('seed=1 input=in output=out group=g');
    expect(summary).toContain('violations: 3 (seed=1): inputDuplicated 3');
    expect(summary).toMatch(/transaction c\.7 eos-0 input-0@3\.\.5 \(3 records, offsets to 6\) .*: committed/);
  });
});
