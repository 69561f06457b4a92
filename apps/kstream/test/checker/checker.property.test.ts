// A history generated from a correct model never reports a violation,
// whatever mix of outcomes, reads and lagging replicas it has.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHistory } from './checker.test-support.js';
import { MODEL_BROKERS, ModelRun } from './model-run.test-support.js';
import type { ModelOutcome } from './model-run.test-support.js';

const PARTITIONS = 3;
const outcomes: ModelOutcome[] = ['ok', 'resent', 'definite', 'found', 'lost'];

const step = fc.oneof(
  fc.record({ kind: fc.constant('produce' as const), producer: fc.nat(2), partition: fc.nat(PARTITIONS - 1), outcome: fc.constantFrom(...outcomes) }),
  fc.record({ kind: fc.constant('read' as const), partition: fc.nat(PARTITIONS - 1), pick: fc.nat() }),
  fc.record({ kind: fc.constant('fault' as const), broker: fc.constantFrom(...MODEL_BROKERS) }),
);

describe('checker property', () => {
  it('correctModelNeverViolates: histories of a correct cluster pass every rule', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 60 }),
        fc.array(fc.record({ partition: fc.nat(PARTITIONS - 1), broker: fc.constantFrom(2, 3), cut: fc.nat() }), { maxLength: 2 }),
        (steps, lags) => {
          const run = new ModelRun(PARTITIONS);
          for (const s of steps) {
            if (s.kind === 'produce') run.produce(`p${s.producer}`, s.partition, s.outcome);
            else if (s.kind === 'fault') run.fault('crash', `broker ${s.broker}`);
            else if (run.logs[s.partition]!.length > 0) run.read('c', s.partition, s.pick % run.logs[s.partition]!.length);
          }
          const lagging = lags.map((l) => ({ ...l, upTo: l.cut % (run.logs[l.partition]!.length + 1) }));
          const result = checkHistory(run.history(), run.final(lagging));
          expect(result.violations).toEqual([]);
          expect(result.acknowledged).toBe(run.produces.filter((op) => op.outcome.kind === 'ok').length);
        },
      ),
    );
  });
});
