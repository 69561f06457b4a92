import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { COMPACTED, cleanerFor, keyedBatch, readRecords, type StoredRecord } from './log-cleaner.test-support.js';
import { manualClock, openLog } from './partition-log.test-support.js';
import { tempLogDir } from './log-test-dir.test-support.js';

const DELETE_RETENTION_MS = 100;
const KEYS = ['a', 'b', 'c', 'd', 'e', 'f'];

type Op = { kind: 'append'; records: { key: number; value: number | null }[] } | { kind: 'advance'; ms: number } | { kind: 'roll' } | { kind: 'clean' } | { kind: 'reopen' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      records: fc.array(fc.record({ key: fc.nat(KEYS.length - 1), value: fc.option(fc.nat(999), { freq: 4 }) }), { minLength: 1, maxLength: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 150 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'roll' as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'clean' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
);

/**
 * The log as a list of every record appended, each marked once a clean
 * removes it: a clean up to end offset E keeps, below E, the last record of
 * each key — a tombstone only until delete.retention.ms after the first
 * clean that covered it — and leaves everything from E on untouched.
 */
class Model {
  records: (StoredRecord & { removed: boolean; firstCleaned?: number })[] = [];

  append(first: bigint, records: { key: string; value: string | null }[]): void {
    records.forEach((r, i) => {
      this.records.push({ offset: first + BigInt(i), ...r, removed: false });
    });
  }

  clean(end: bigint, now: number): void {
    const latest = new Map<string, bigint>();
    for (const r of this.records) if (r.offset < end && !r.removed) latest.set(r.key!, r.offset);
    for (const r of this.records) {
      if (r.offset >= end || r.removed) continue;
      r.firstCleaned ??= now;
      const tombstoneExpired = r.value === null && r.firstCleaned + DELETE_RETENTION_MS <= now;
      if (latest.get(r.key!) !== r.offset || tombstoneExpired) r.removed = true;
    }
  }

  expected(): StoredRecord[] {
    return this.records.filter((r) => !r.removed).map(({ offset, key, value }) => ({ offset, key, value }));
  }
}

describe('log cleaner against a model', () => {
  it('cleanedLogReadsAsTheModel: last value per key in offset order, offsets kept, tombstones until their horizon, the active segment untouched', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 30 }), fc.integer({ min: 150, max: 600 }), async (ops, segmentBytes) => {
        const dir = tempLogDir();
        const clock = manualClock();
        const config = { ...COMPACTED, segmentBytes, deleteRetentionMs: DELETE_RETENTION_MS, indexIntervalBytes: 100 };
        let log = await openLog(dir, { config, clock: clock.now });
        let cleaner = await cleanerFor(log, { clock: clock.now });
        const model = new Model();
        for (const o of ops) {
          switch (o.kind) {
            case 'append': {
              const records = o.records.map((r) => ({ key: KEYS[r.key]!, value: r.value === null ? null : `v${r.value}` }));
              const info = await log.appendAsLeader(await keyedBatch(records, { timestamp: clock.now() }), 0);
              model.append(info.firstOffset, records);
              break;
            }
            case 'advance':
              clock.advance(o.ms);
              break;
            case 'roll':
              await log.roll();
              break;
            case 'clean': {
              const summary = await cleaner.cleanFilthiestLog();
              if (summary !== undefined && summary.groups.length > 0) model.clean(BigInt(summary.endOffset), clock.now());
              break;
            }
            case 'reopen':
              await cleaner.close();
              await log.close();
              log = await openLog(dir, { config, clock: clock.now, recoveryPoint: log.recoveryPoint });
              cleaner = await cleanerFor(log, { clock: clock.now });
              break;
            default:
              o satisfies never;
          }
          expect(await readRecords(log)).toEqual(model.expected());
        }
        // Twice more, a new dirty segment and a clean, delete.retention.ms apart: every tombstone's horizon passes.
        for (let i = 0; i < 2; i++) {
          clock.advance(DELETE_RETENTION_MS);
          const records = [{ key: 'z', value: `end${i}` }];
          model.append((await log.appendAsLeader(await keyedBatch(records, { timestamp: clock.now() }), 0)).firstOffset, records);
          await log.roll();
          const summary = await cleaner.cleanFilthiestLog();
          model.clean(BigInt(summary!.endOffset), clock.now());
          expect(await readRecords(log)).toEqual(model.expected());
        }
        await cleaner.close();
        await log.close();
      }),
      { numRuns: 12 },
    );
  }, 60_000);
});
