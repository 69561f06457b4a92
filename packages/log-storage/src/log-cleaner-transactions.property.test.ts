import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { COMPACTED, appendAt, cleanerFor, keyedBatch, readCommitted } from './log-cleaner.test-support.js';
import { manualClock, openLog } from './partition-log.test-support.js';
import { tempLogDir } from './log-test-dir.test-support.js';

const KEYS = ['a', 'b', 'c', 'd'];
const PRODUCERS = [1n, 2n, 3n];
/** Short, so markers reach their delete horizon and go within a run. */
const DELETE_RETENTION_MS = 100;

type Op =
  | { kind: 'plain'; key: number }
  | { kind: 'txn'; producer: number; key: number }
  | { kind: 'end'; producer: number; commit: boolean }
  | { kind: 'advance'; ms: number }
  | { kind: 'roll' }
  | { kind: 'clean' }
  | { kind: 'reopen' };

const key = fc.nat(KEYS.length - 1);
const producer = fc.nat(PRODUCERS.length - 1);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('plain' as const), key }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('txn' as const), producer, key }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('end' as const), producer, commit: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 150 }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'roll' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'clean' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
);

interface ModelRecord {
  offset: bigint;
  key: string;
  value: string;
  producer: bigint | undefined;
  state: 'plain' | 'open' | 'committed' | 'aborted';
  removed: boolean;
}

/**
 * Every record appended with its transaction's fate. A read_committed view
 * shows every record not aborted and not compacted away; a clean up to E
 * keeps, below E, the last record of each key among those not aborted
 * (aborted ones never count: the offset map skips them).
 */
class Model {
  records: ModelRecord[] = [];

  end(producerId: bigint, commit: boolean): void {
    for (const r of this.records) if (r.producer === producerId && r.state === 'open') r.state = commit ? 'committed' : 'aborted';
  }

  hasOpen(producerId: bigint): boolean {
    return this.records.some((r) => r.producer === producerId && r.state === 'open');
  }

  clean(end: bigint): void {
    const latest = new Map<string, bigint>();
    for (const r of this.records) if (r.offset < end && !r.removed && r.state !== 'aborted') latest.set(r.key, r.offset);
    for (const r of this.records) if (r.offset < end && r.state !== 'aborted' && latest.get(r.key) !== r.offset) r.removed = true;
  }

  readCommitted(): string[] {
    return this.records.filter((r) => !r.removed && r.state !== 'aborted').map((r) => `${r.offset}:${r.key}=${r.value}`);
  }
}

describe('compaction of transactions against a model', () => {
  it('readCommittedViewAsTheModel: aborted records never shown, open ones never cleaned, the rest compacted by key, through rolls, cleans (markers reaching their horizon) and reopens', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 30 }), async (ops) => {
        const dir = tempLogDir();
        const clock = manualClock();
        const config = { ...COMPACTED, segmentBytes: 400, deleteRetentionMs: DELETE_RETENTION_MS };
        let log = await openLog(dir, { config, clock: clock.now });
        let cleaner = await cleanerFor(log, { clock: clock.now });
        const model = new Model();
        let n = 0;
        for (const o of ops) {
          switch (o.kind) {
            case 'plain':
            case 'txn': {
              const producerId = o.kind === 'txn' ? PRODUCERS[o.producer]! : undefined;
              const record = { key: KEYS[o.key]!, value: `v${n++}` };
              const batch = await keyedBatch([record], { producerId, isTransactional: producerId !== undefined, timestamp: clock.now() });
              const info = await appendAt(log, batch);
              model.records.push({ offset: info.firstOffset, ...record, producer: producerId, state: producerId === undefined ? 'plain' : 'open', removed: false });
              break;
            }
            case 'end': {
              const producerId = PRODUCERS[o.producer]!;
              if (!model.hasOpen(producerId)) break;
              await log.appendTxnMarker({ producerId, producerEpoch: 0, coordinatorEpoch: 0, commit: o.commit }, 0);
              model.end(producerId, o.commit);
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
              if (summary !== undefined && summary.groups.length > 0) model.clean(BigInt(summary.endOffset));
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
          expect(await readCommitted(log)).toEqual(model.readCommitted());
        }
        await cleaner.close();
        await log.close();
      }),
      { numRuns: 40 },
    );
  }, 90_000);
});
