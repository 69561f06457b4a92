import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packMetadataBatch } from '@kstream/metadata';
import type { MetadataRecord } from '@kstream/metadata';
import { type LogLine, quiet, recordingLogger } from './controller.test-support.js';
import { MetadataLog, type MetadataLogOptions } from './metadata-log.js';

// Compaction replaces the log with a snapshot whose records take the offsets
// just below the next one, so the offsets go on across it (broker epochs are
// offsets); a crash at any point leaves the old log or the new one.

let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kstream-metadata-compaction-'));
  path = join(dir, 'metadata.log');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function broker(brokerId: number, host = '127.0.0.1'): MetadataRecord {
  return { type: 'RegisterBroker', brokerId, brokerEpoch: brokerId, host, port: 9091 + brokerId };
}

async function reopen(options: MetadataLogOptions = {}, logger = quiet): Promise<{ log: MetadataLog; replayed: Array<[MetadataRecord, number]> }> {
  const replayed: Array<[MetadataRecord, number]> = [];
  const log = await MetadataLog.open(path, (record, offset) => replayed.push([record, offset]), logger, options);
  return { log, replayed };
}

async function compact(log: MetadataLog, snapshot: readonly MetadataRecord[]): Promise<void> {
  await log.compact(await packMetadataBatch(snapshot), snapshot.length);
}

describe('MetadataLog compaction', () => {
  it('keepsTheOffsetsGoing: the snapshot takes the offsets below the next one, and appends follow it', async () => {
    const { log } = await reopen();
    for (const id of [1, 2, 3, 4]) await log.append(broker(id));
    const before = log.size;
    await compact(log, [broker(3), broker(4)]);
    expect(log.nextOffset).toBe(4);
    expect(log.size).toBeLessThan(before);
    expect(await log.append(broker(5))).toBe(4);
    await log.close();

    const again = await reopen();
    expect(again.replayed).toEqual([
      [broker(3), 2],
      [broker(4), 3],
      [broker(5), 4],
    ]);
    expect(again.log.nextOffset).toBe(5);
    await again.log.close();
    expect((await stat(path)).size).toBe(again.log.size);
  });

  it('aSnapshotStandsForRecordsTheLogHas: more records than the log holds, or none, are refused and change nothing', async () => {
    const { log } = await reopen();
    for (const id of [1, 2]) await log.append(broker(id));
    await expect(compact(log, [broker(1), broker(2), broker(3)])).rejects.toThrow(RangeError);
    await expect(log.compact(await packMetadataBatch([]), 0)).rejects.toThrow(RangeError);
    await log.close();
    expect((await reopen()).replayed).toEqual([
      [broker(1), 0],
      [broker(2), 1],
    ]);
  });

  it('dueInProportion: due after bytesBetweenSnapshots of appends, then only after as many bytes as the snapshot holds', async () => {
    const options = { bytesBetweenSnapshots: 100 };
    const { log } = await reopen(options);
    while (log.size <= 100) {
      expect(log.compactionDue).toBe(false);
      await log.append(broker(1));
    }
    expect(log.compactionDue).toBe(true);
    // A snapshot of over 400 bytes: 100 bytes of appends no longer make compaction due.
    const big = [1, 2].map((id) => broker(id, 'h'.repeat(200)));
    await compact(log, big);
    const snapshotBytes = log.size;
    expect(snapshotBytes).toBeGreaterThan(400);
    expect(log.compactionDue).toBe(false);
    while (log.size - snapshotBytes <= snapshotBytes) {
      expect(log.compactionDue).toBe(false);
      await log.append(broker(1));
    }
    expect(log.compactionDue).toBe(true);
    await log.close();
    // The snapshot's size is read back at open.
    const again = await reopen(options);
    expect(again.log.compactionDue).toBe(true);
    await again.log.close();
  });

  it('unfinishedCompactionRemoved: what a crash left beside the log is deleted at open, and the log is whole', async () => {
    const { log } = await reopen();
    for (const id of [1, 2]) await log.append(broker(id));
    await log.close();
    await writeFile(`${path}.compacting`, Buffer.from('half a snapshot'));
    const lines: LogLine[] = [];
    const again = await reopen({}, recordingLogger(lines));
    expect(again.replayed.map(([, offset]) => offset)).toEqual([0, 1]);
    await expect(stat(`${path}.compacting`)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', msg: expect.stringContaining('interrupted compaction') })]);
    await again.log.close();
  });

  it('tornTailAfterASnapshot: a half-written append after the snapshot is truncated; the snapshot and its offsets stay', async () => {
    const { log } = await reopen();
    for (const id of [1, 2, 3]) await log.append(broker(id));
    await compact(log, [broker(9)]);
    await log.append(broker(4));
    await log.append(broker(5));
    await log.close();
    await truncate(path, (await stat(path)).size - 3);
    const again = await reopen();
    expect(again.replayed).toEqual([
      [broker(9), 2],
      [broker(4), 3],
    ]);
    expect(await again.log.append(broker(6))).toBe(4);
    await again.log.close();
  });

  it('damagedHeaderRefusesToOpen: the log is named and left as it was, not truncated to nothing', async () => {
    const { log } = await reopen();
    for (const id of [1, 2]) await log.append(broker(id));
    await compact(log, [broker(2)]);
    await log.close();
    const bytes = await readFile(path);
    bytes[8] = (bytes[8] ?? 0) ^ 0x01;
    await writeFile(path, bytes);
    await expect(reopen()).rejects.toThrow(`metadata log ${path}: its header is damaged`);
    expect(await readFile(path)).toEqual(bytes);
  });

  it('damagedSnapshotRefusesToOpen: a snapshot was synced before it took the name, so damage there is refused, not truncated to an empty log', async () => {
    const { log } = await reopen();
    for (const id of [1, 2]) await log.append(broker(id));
    await compact(log, [broker(2)]);
    await log.append(broker(3));
    await log.close();
    const bytes = await readFile(path);
    // A byte of the snapshot's payload, after the 16-byte header and the frame's 8.
    bytes[30] = (bytes[30] ?? 0) ^ 0x01;
    await writeFile(path, bytes);
    await expect(reopen()).rejects.toThrow(`metadata log ${path}: its snapshot is damaged (CRC mismatch`);
    expect(await readFile(path)).toEqual(bytes);
    // Cut after the header: no snapshot at all.
    await writeFile(path, bytes.subarray(0, 16));
    await expect(reopen()).rejects.toThrow(`metadata log ${path}: its header is not followed by a snapshot`);
  });

  it('replaysAsTheModel: any appends, compactions and reopens replay the records the model holds, at its offsets', async () => {
    type Op = { kind: 'append'; count: number } | { kind: 'compact'; keep: number } | { kind: 'reopen' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), count: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ kind: fc.constant('compact' as const), keep: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant('reopen' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        await rm(path, { force: true });
        let { log } = await reopen();
        let model: Array<[MetadataRecord, number]> = [];
        let next = 0;
        try {
          for (const o of ops) {
            if (o.kind === 'append') {
              const batch = Array.from({ length: o.count }, (_, i) => broker(next + i));
              expect(await log.appendBatch(batch)).toBe(next + o.count - 1);
              model.push(...batch.map((r, i): [MetadataRecord, number] => [r, next + i]));
              next += o.count;
            } else if (o.kind === 'compact') {
              const keep = Math.min(o.keep, next);
              if (keep === 0) continue;
              const snapshot = Array.from({ length: keep }, (_, i) => broker(1000 + next + i));
              await compact(log, snapshot);
              model = snapshot.map((r, i) => [r, next - keep + i]);
            } else {
              await log.close();
              const again = await reopen();
              log = again.log;
              expect(again.replayed).toEqual(model);
            }
            expect(log.nextOffset).toBe(next);
          }
        } finally {
          await log.close();
        }
        const last = await reopen();
        await last.log.close();
        expect(last.replayed).toEqual(model);
        expect(last.log.nextOffset).toBe(next);
      }),
      { numRuns: 30 },
    );
  });
});
