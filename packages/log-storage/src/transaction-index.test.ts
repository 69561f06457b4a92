import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogDirIo } from './log-dir-io.js';
import { recordingLogger } from './partition-log.test-support.js';
import { silentLogger } from './logger.js';
import { tempLogDir } from './log-test-dir.test-support.js';
import { ABORTED_TXN_SIZE, TransactionIndex, encodeAbortedTxn, type AbortedTxn } from './transaction-index.js';

const FILE = '00000000000000000000.txnindex';

function txn(producerId: bigint, firstOffset: bigint, lastOffset: bigint, lastStableOffset = lastOffset + 1n): AbortedTxn {
  return { producerId, firstOffset, lastOffset, lastStableOffset };
}

async function openIndex(dir: string, logger = silentLogger): Promise<TransactionIndex> {
  return TransactionIndex.open(new LogDirIo(dir), dir, 0n, logger);
}

/** The model's collect: Kafka's loop over the entries in order. */
function modelCollect(entries: readonly AbortedTxn[], start: bigint, upper: bigint): { abortedTxns: AbortedTxn[]; isComplete: boolean } {
  const abortedTxns: AbortedTxn[] = [];
  for (const t of entries) {
    if (t.lastOffset >= start && t.firstOffset < upper) abortedTxns.push(t);
    if (t.lastStableOffset >= upper) return { abortedTxns, isComplete: true };
  }
  return { abortedTxns, isComplete: false };
}

describe('TransactionIndex', () => {
  it('kafkaFormatOneEntry: 34 bytes, version 0 then producer id, first, last and last stable offsets, big-endian', async () => {
    const dir = tempLogDir();
    const index = await openIndex(dir);
    index.append(txn(0x0102030405060708n, 10n, 20n, 15n));
    await index.flush();
    expect(readFileSync(join(dir, FILE)).toString('hex')).toBe('0000' + '0102030405060708' + '000000000000000a' + '0000000000000014' + '000000000000000f');
    expect(ABORTED_TXN_SIZE).toBe(34);
  });

  it('noFileUntilTheFirstEntry: an index without entries has no file, even after flush and close', async () => {
    const dir = tempLogDir();
    const index = await openIndex(dir);
    await index.flush();
    await index.close();
    expect(existsSync(join(dir, FILE))).toBe(false);
  });

  it('fileGoesWithTheLastEntry: truncating every entry away (or reset) removes the file', async () => {
    const dir = tempLogDir();
    const index = await openIndex(dir);
    index.append(txn(1n, 0n, 5n));
    await index.flush();
    await index.truncateTo(5n);
    expect(existsSync(join(dir, FILE))).toBe(false);
    index.append(txn(1n, 6n, 9n));
    await index.flush();
    await index.reset();
    expect(index.all()).toEqual([]);
    expect(existsSync(join(dir, FILE))).toBe(false);
  });

  it('appendOutOfOrder: an abort whose marker is not after the last entry throws, naming the offsets', async () => {
    const index = await openIndex(tempLogDir());
    index.append(txn(1n, 0n, 10n));
    expect(() => index.append(txn(2n, 3n, 10n))).toThrow(/ends at 10, not after the last entry's 10/);
    expect(() => index.append(txn(2n, 3n, 9n))).toThrow(RangeError);
    expect(index.all()).toHaveLength(1);
    await index.close();
  });

  it('appendIsVisibleAtOnceAndWrittenBehind: collect sees an entry as soon as it is appended; close writes it', async () => {
    const dir = tempLogDir();
    const index = await openIndex(dir);
    index.append(txn(4n, 2n, 8n));
    expect(index.collect(0n, 100n).abortedTxns).toEqual([txn(4n, 2n, 8n)]);
    await index.close();
    expect((await openIndex(dir)).all()).toEqual([txn(4n, 2n, 8n)]);
  });

  it('collectStopsAtTheFirstEntryWhoseLastStableOffsetReachesTheUpperBound', async () => {
    const index = await openIndex(tempLogDir());
    index.append(txn(1n, 0n, 10n, 11n));
    index.append(txn(2n, 5n, 20n, 30n));
    index.append(txn(3n, 12n, 40n, 41n));
    // Both overlap [8, 25); the second's last stable offset (30) reaches 25: nothing later can start below 25.
    expect(index.collect(8n, 25n)).toEqual({ abortedTxns: [txn(1n, 0n, 10n, 11n), txn(2n, 5n, 20n, 30n)], isComplete: true });
    // The third overlaps too; no entry's last stable offset reaches 50: a later segment may hold more.
    expect(index.collect(8n, 50n)).toEqual({ abortedTxns: index.all(), isComplete: false });
    // Markers before the start are left out.
    expect(index.collect(21n, 50n).abortedTxns).toEqual([txn(3n, 12n, 40n, 41n)]);
    await index.close();
  });

  it('reopenAfterATornWrite: a partial last entry is dropped with a warning and cut from the file at the next write', async () => {
    const dir = tempLogDir();
    const index = await openIndex(dir);
    index.append(txn(1n, 0n, 3n));
    index.append(txn(2n, 1n, 7n));
    await index.close();
    appendFileSync(join(dir, FILE), encodeAbortedTxn(txn(3n, 8n, 9n)).subarray(0, 20));
    const logger = recordingLogger();
    const reopened = await openIndex(dir, logger);
    expect(reopened.all()).toEqual([txn(1n, 0n, 3n), txn(2n, 1n, 7n)]);
    expect(logger.entries).toEqual([expect.objectContaining({ level: 'warn', msg: 'Dropped the tail of a transaction index' })]);
    reopened.append(txn(3n, 8n, 12n));
    await reopened.flush();
    expect(readFileSync(join(dir, FILE)).length).toBe(3 * ABORTED_TXN_SIZE);
    expect((await openIndex(dir)).all()).toEqual([txn(1n, 0n, 3n), txn(2n, 1n, 7n), txn(3n, 8n, 12n)]);
  });

  it('reopenAfterGarbage: an entry of an unknown version, or going back, ends what is loaded', async () => {
    const dir = tempLogDir();
    const bad = encodeAbortedTxn(txn(9n, 0n, 50n));
    bad.writeInt16BE(1, 0);
    writeFileSync(join(dir, FILE), Buffer.concat([encodeAbortedTxn(txn(1n, 0n, 30n)), encodeAbortedTxn(txn(2n, 0n, 20n)), bad]));
    const logger = recordingLogger();
    expect((await openIndex(dir, logger)).all()).toEqual([txn(1n, 0n, 30n)]);
    expect(logger.entries[0]?.fields).toMatchObject({ kept: 1, problem: 'entry 1 ends at 20, not after the one before (30)' });
  });

  it('truncateCutsTheFileAtOnce: entries at or after the offset are gone from memory and disk', async () => {
    const dir = tempLogDir();
    const index = await openIndex(dir);
    for (const [first, last] of [
      [0n, 4n],
      [2n, 9n],
      [10n, 15n],
    ] as const)
      index.append(txn(7n, first, last));
    await index.flush();
    await index.truncateTo(9n);
    expect(index.all()).toEqual([txn(7n, 0n, 4n)]);
    expect(readFileSync(join(dir, FILE)).length).toBe(ABORTED_TXN_SIZE);
  });

  it('writesAfterStopWritesDoNothing: a deleted segment’s index does not recreate its file', async () => {
    const dir = tempLogDir();
    const index = await openIndex(dir);
    await index.stopWrites();
    index.append(txn(1n, 0n, 1n));
    await index.flush();
    await index.close();
    expect(existsSync(join(dir, FILE))).toBe(false);
  });

  it('matchesAModel: appends, truncations, resets, flushes and reopens keep memory and file equal to a plain array', async () => {
    type Op =
      | { kind: 'append'; producerId: number; span: number; gap: number; lsoAhead: number }
      | { kind: 'truncate'; at: number }
      | { kind: 'reset' }
      | { kind: 'flush' }
      | { kind: 'reopen' }
      | { kind: 'collect'; start: number; length: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          kind: fc.constant('append' as const),
          producerId: fc.integer({ min: 0, max: 5 }),
          span: fc.integer({ min: 0, max: 20 }),
          gap: fc.integer({ min: 1, max: 10 }),
          lsoAhead: fc.integer({ min: -20, max: 20 }),
        }),
      },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.integer({ min: 0, max: 300 }) }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'flush' as const }) },
      { weight: 2, arbitrary: fc.constant({ kind: 'reopen' as const }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('collect' as const), start: fc.integer({ min: 0, max: 300 }), length: fc.integer({ min: 0, max: 100 }) }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const dir = tempLogDir();
        let index = await openIndex(dir);
        let model: AbortedTxn[] = [];
        for (const o of ops) {
          switch (o.kind) {
            case 'append': {
              const last = (model[model.length - 1]?.lastOffset ?? 0n) + BigInt(o.gap);
              const first = last - BigInt(o.span) < 0n ? 0n : last - BigInt(o.span);
              const entry = txn(BigInt(o.producerId), first, last, last + BigInt(o.lsoAhead));
              index.append(entry);
              model.push(entry);
              break;
            }
            case 'truncate':
              await index.truncateTo(BigInt(o.at));
              model = model.filter((t) => t.lastOffset < BigInt(o.at));
              break;
            case 'reset':
              await index.reset();
              model = [];
              break;
            case 'flush':
              await index.flush();
              break;
            case 'reopen':
              await index.close();
              index = await openIndex(dir);
              break;
            case 'collect': {
              const start = BigInt(o.start);
              const upper = start + BigInt(o.length);
              expect(index.collect(start, upper)).toEqual(modelCollect(model, start, upper));
              break;
            }
          }
          expect(index.all()).toEqual(model);
        }
        await index.close();
        const path = join(dir, FILE);
        expect(existsSync(path)).toBe(model.length > 0);
        if (model.length > 0) expect(readFileSync(path)).toEqual(Buffer.concat(model.map((t) => encodeAbortedTxn(t))));
      }),
      { numRuns: 60 },
    );
  });
});
