import { describe, expect, it } from 'vitest';
import { closeSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { BATCH_OFFSETS } from '@kstream/protocol';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import type { PartitionLog } from './partition-log.js';
import { LogDirIo } from './log-dir-io.js';
import { compareOffsets } from './log-file-names.js';
import { OpenFileBudget } from './open-file-budget.js';
import { openLog } from './partition-log.test-support.js';
import { makeBatch } from './record-batch.test-support.js';
import { partitionDir, tempLogDir } from './log-test-dir.test-support.js';
import { CorruptSegmentError } from './storage-errors.js';

const SEGMENT_BYTES = 600;
const RETENTION_BYTES = 1500;
const CONFIG = {
  segmentBytes: SEGMENT_BYTES,
  indexIntervalBytes: 150,
  retentionBytes: RETENTION_BYTES,
  retentionMs: -1,
};

interface ModelBatch {
  base: bigint;
  last: bigint;
  bytes: Buffer;
}

/** The log as a list of segments of batches: what every operation should leave behind. */
class Model {
  segments: { base: bigint; batches: ModelBatch[] }[] = [{ base: 0n, batches: [] }];
  logStart = 0n;
  /** Base offsets of flushed batches whose bytes on disk were damaged: never served, nothing else lost. */
  corrupt = new Set<bigint>();

  get active() {
    return this.segments[this.segments.length - 1]!;
  }
  get end(): bigint {
    const last = this.active.batches[this.active.batches.length - 1];
    return last ? last.last + 1n : this.active.base;
  }
  size(segment: { batches: ModelBatch[] }): number {
    return segment.batches.reduce((n, b) => n + b.bytes.length, 0);
  }
  roll(): void {
    if (this.active.batches.length > 0) this.segments.push({ base: this.end, batches: [] });
  }
  append(batches: ModelBatch[]): void {
    const bytes = batches.reduce((n, b) => n + b.bytes.length, 0);
    if (this.size(this.active) > 0 && this.size(this.active) + bytes > SEGMENT_BYTES) this.roll();
    this.active.batches.push(...batches);
  }
  truncate(offset: bigint): void {
    if (offset >= this.end) return;
    for (const base of this.corrupt) if (base >= offset || offset < this.segments[0]!.base) this.corrupt.delete(base);
    if (offset < this.segments[0]!.base) {
      this.segments = [{ base: offset, batches: [] }];
      this.logStart = offset;
      return;
    }
    this.segments = this.segments.filter((s) => s.base <= offset);
    this.active.batches = this.active.batches.filter((b) => b.last < offset);
    if (this.logStart > this.end) this.logStart = this.end;
  }
  deleteBelowStart(): void {
    while (this.segments.length > 1 && this.segments[1]!.base <= this.logStart) this.segments.shift();
  }
  retention(): void {
    let excess = this.segments.reduce((n, s) => n + this.size(s), 0) - RETENTION_BYTES;
    let bySize = 0;
    while (bySize < this.segments.length - 1 && excess - this.size(this.segments[bySize]!) >= 0) {
      excess -= this.size(this.segments[bySize]!);
      bySize++;
    }
    let byStart = 0;
    while (byStart < this.segments.length - 1 && this.segments[byStart + 1]!.base <= this.logStart) byStart++;
    this.segments.splice(0, Math.max(bySize, byStart));
    if (this.segments[0]!.base > this.logStart) this.logStart = this.segments[0]!.base;
  }
  /** What read(offset, maxBytes) must return: 'corrupt' when the batch holding `offset` is one (the read fails). */
  read(offset: bigint, maxBytes: number): { bytes: Buffer; next: bigint } | { corrupt: ModelBatch } {
    let at = this.segments.findLastIndex((s) => s.base <= offset);
    for (; at < this.segments.length; at++) {
      const batches = this.segments[at]!.batches;
      const first = batches.findIndex((b) => b.last >= offset);
      if (first < 0) continue;
      if (this.corrupt.has(batches[first]!.base)) return { corrupt: batches[first]! };
      const out = [batches[first]!];
      let total = batches[first]!.bytes.length;
      for (let i = first + 1; i < batches.length && total + batches[i]!.bytes.length <= maxBytes && !this.corrupt.has(batches[i]!.base); i++) {
        out.push(batches[i]!);
        total += batches[i]!.bytes.length;
      }
      return { bytes: Buffer.concat(out.map((b) => b.bytes)), next: out[out.length - 1]!.last + 1n };
    }
    return { bytes: Buffer.alloc(0), next: offset };
  }
  /** The flushed batches (below `recoveryPoint`) still readable, with their segment and position in its file. */
  flushedBatches(recoveryPoint: bigint): { segment: bigint; position: number; batch: ModelBatch }[] {
    const out = [];
    for (const segment of this.segments) {
      let position = 0;
      for (const batch of segment.batches) {
        if (batch.last < recoveryPoint && batch.base >= this.logStart && !this.corrupt.has(batch.base)) out.push({ segment: segment.base, position, batch });
        position += batch.bytes.length;
      }
    }
    return out;
  }
}

// Batch sizes of 100, 150 and 200 bytes add up to segment.bytes and maxBytes exactly, where the edge cases are.
const batchSpec = fc.record({
  records: fc.integer({ min: 1, max: 4 }),
  bodyBytes: fc.oneof(fc.constantFrom(39, 89, 139), fc.integer({ min: 0, max: 160 })),
});
const maxBytes = fc.oneof(fc.constantFrom(1, 100, 200, 300, 450, 600), fc.integer({ min: 1, max: 1200 }));
const op = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('append' as const), batches: fc.array(batchSpec, { minLength: 1, maxLength: 3 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('concurrent' as const), appends: fc.array(fc.array(batchSpec, { minLength: 1, maxLength: 2 }), { minLength: 2, maxLength: 5 }) }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('read' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), maxBytes }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1.1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('roll' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retention' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteRecords' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('checkpoint' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopenClean' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopenAfterCrash' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('corruptFlushed' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
);

/** Flips a bit of the stored CRC of the batch at `position` of a segment's .log, as a bad disk would. */
function damageCrc(dir: string, segment: bigint, position: number): void {
  const fd = openSync(join(partitionDir(dir), `${String(segment).padStart(20, '0')}.log`), 'r+');
  try {
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, position + BATCH_OFFSETS.crc);
    byte[0]! ^= 0x01;
    writeSync(fd, byte, 0, 1, position + BATCH_OFFSETS.crc);
  } finally {
    closeSync(fd);
  }
}

function between(from: bigint, to: bigint, fraction: number): bigint {
  return from + BigInt(Math.floor(Number(to - from) * fraction));
}

describe('PartitionLog against a model', () => {
  it('randomOperations: append, read, truncate, roll, retention, reopen (clean and crash), damage below the recovery point agree with the model', async () => {
    await fc.assert(
      // Writes take either path by size: every group inline, every one on the thread pool, or a mix (groups of one to three small batches straddle 300 bytes).
      // Its files either all stay open, or at most one or three do: segments' .log files are closed while idle and reopened on use (OpenFileBudget).
      fc.asyncProperty(
        fc.array(op, { minLength: 5, maxLength: 30 }),
        fc.constantFrom(LogDirIo.DEFAULT_INLINE_WRITE_MAX_BYTES, 0, 300),
        fc.constantFrom(Number.POSITIVE_INFINITY, 1, 3),
        async (ops, inlineWriteMaxBytes, openFiles) => {
          const dir = tempLogDir();
          let fs = new FaultyFileSystem();
          let budget = new OpenFileBudget(openFiles);
          let log: PartitionLog = await openLog(dir, { config: CONFIG, inlineWriteMaxBytes, budget, fileSystem: fs });
          const model = new Model();
          let checkpoint = { recoveryPoint: undefined as bigint | undefined, logStartOffset: undefined as bigint | undefined };
          let fill = 0;
          const build = (specs: { records: number; bodyBytes: number }[]) => specs.map((s) => makeBatch({ ...s, fill: fill++ % 256 }));
          const modelBatches = (buffers: Buffer[], first: bigint): ModelBatch[] => {
            let base = first;
            return buffers.map((bytes) => {
              const last = base + BigInt(bytes.readInt32BE(57)) - 1n;
              const b = { base, last, bytes };
              base = last + 1n;
              return b;
            });
          };
          try {
            for (const o of ops) {
              switch (o.kind) {
                case 'append': {
                  const records = Buffer.concat(build(o.batches));
                  const info = await log.appendAsLeader(records, 0);
                  expect(info.firstOffset).toBe(model.end);
                  // The log rewrote the offsets in place, in this very buffer: the model keeps it.
                  model.append(modelBatches(splitBatches(records, o.batches.length), info.firstOffset));
                  break;
                }
                case 'concurrent': {
                  const buffers = o.appends.map((a) => Buffer.concat(build(a)));
                  const infos = await Promise.all(buffers.map((b) => log.appendAsLeader(b, 0)));
                  for (const [i, b] of buffers.entries()) {
                    expect(infos[i]!.firstOffset).toBe(model.end);
                    model.append(modelBatches(splitBatches(b, o.appends[i]!.length), infos[i]!.firstOffset));
                  }
                  break;
                }
                case 'read': {
                  // A consumer's pass from a random offset to the end, maxBytes at a time.
                  let offset = between(model.logStart, model.end, o.at);
                  while (offset < model.end) {
                    const expected = model.read(offset, o.maxBytes);
                    if ('corrupt' in expected) {
                      await expect(log.read(offset, { maxBytes: o.maxBytes }), `read at ${offset}`).rejects.toBeInstanceOf(CorruptSegmentError);
                      offset = expected.corrupt.last + 1n;
                      continue;
                    }
                    const read = await log.read(offset, { maxBytes: o.maxBytes });
                    expect(read.records.equals(expected.bytes), `read at ${offset}`).toBe(true);
                    expect(read.nextOffset).toBe(expected.next);
                    offset = read.nextOffset;
                  }
                  break;
                }
                case 'truncate': {
                  const target = between(0n, model.end, o.at);
                  await log.truncateTo(target);
                  model.truncate(target);
                  break;
                }
                case 'roll':
                  await log.roll();
                  model.roll();
                  break;
                case 'retention':
                  await log.deleteOldSegments();
                  model.retention();
                  break;
                case 'deleteRecords': {
                  const target = between(model.logStart, model.end, o.at);
                  await log.maybeIncrementLogStartOffset(target);
                  if (target > model.logStart) model.logStart = target;
                  model.deleteBelowStart();
                  break;
                }
                case 'checkpoint':
                  checkpoint = { recoveryPoint: log.recoveryPoint, logStartOffset: log.logStartOffset };
                  break;
                case 'corruptFlushed': {
                  // Below the recovery point the log and every later reopen know: damage there is reported and refused, never cut.
                  const flushed = log.recoveryPoint < (checkpoint.recoveryPoint ?? 0n) ? log.recoveryPoint : (checkpoint.recoveryPoint ?? 0n);
                  const candidates = model.flushedBatches(flushed);
                  if (candidates.length === 0) break;
                  // Mostly one of the last flushed batches: those share a segment with the recovery point, which a crash makes recovery read.
                  const pick =
                    o.at < 0.7 ? candidates.length - 1 - Math.floor((o.at / 0.7) * Math.min(3, candidates.length)) : Math.floor(((o.at - 0.7) / 0.3) * candidates.length);
                  const target = candidates[Math.min(Math.max(pick, 0), candidates.length - 1)]!;
                  damageCrc(dir, target.segment, target.position);
                  model.corrupt.add(target.batch.base);
                  break;
                }
                case 'reopenClean':
                  await log.close();
                  checkpoint = { recoveryPoint: log.recoveryPoint, logStartOffset: log.logStartOffset };
                  fs = new FaultyFileSystem();
                  budget = new OpenFileBudget(openFiles);
                  log = await openLog(dir, { config: CONFIG, inlineWriteMaxBytes, budget, fileSystem: fs, ...checkpoint });
                  break;
                case 'reopenAfterCrash': {
                  await fs.crash();
                  fs = new FaultyFileSystem();
                  budget = new OpenFileBudget(openFiles);
                  log = await openLog(dir, { config: CONFIG, inlineWriteMaxBytes, budget, fileSystem: fs, ...checkpoint });
                  const first = model.segments[0]!.base;
                  let start = checkpoint.logStartOffset ?? 0n;
                  if (start < first) start = first;
                  if (start > model.end) start = model.end;
                  model.logStart = start;
                  break;
                }
              }
              expect(log.logEndOffset).toBe(model.end);
              expect(log.logStartOffset).toBe(model.logStart);
              expect(log.segmentBaseOffsets()).toEqual(model.segments.map((s) => s.base));
              // The producer snapshots the log keeps track of (instead of listing its directory) are the ones there.
              expect(await recordedSnapshots(log), 'producer snapshots').toEqual(snapshotsOnDisk(dir));
              // Files pinned while renamed under a reader (a deleted segment a flush holds) are outside the budget.
              expect(fs.peakOpenFiles, 'files open at once').toBeLessThanOrEqual(openFiles + budget.peakOutside);
            }
          } finally {
            await log.close().catch(() => {});
          }
        },
      ),
      {
        numRuns: 80,
        examples: [
          // Damage in the flushed part of the segment holding the recovery point, then a crash: recovery reads that segment.
          [
            [
              { kind: 'append', batches: [{ records: 1, bodyBytes: 39 }] },
              { kind: 'reopenClean' },
              { kind: 'append', batches: [{ records: 1, bodyBytes: 0 }] },
              { kind: 'corruptFlushed', at: 0 },
              { kind: 'reopenAfterCrash' },
              { kind: 'read', at: 0, maxBytes: 1 },
            ],
            LogDirIo.DEFAULT_INLINE_WRITE_MAX_BYTES,
            1,
          ],
        ],
      },
    );
  }, 60_000);
});

function splitBatches(buffer: Buffer, count: number): Buffer[] {
  const out: Buffer[] = [];
  let position = 0;
  for (let i = 0; i < count; i++) {
    const size = buffer.readInt32BE(position + 8) + 12;
    out.push(buffer.subarray(position, position + size));
    position += size;
  }
  return out;
}

/** The producer snapshot offsets the log's producer state keeps track of. */
function recordedSnapshots(log: PartitionLog): Promise<bigint[]> {
  return (log as unknown as { state: { producerState: { snapshotOffsets(): Promise<bigint[]> } } }).state.producerState.snapshotOffsets();
}

/** The producer snapshot offsets in the test partition's directory, ascending. */
function snapshotsOnDisk(dir: string): bigint[] {
  return readdirSync(partitionDir(dir))
    .filter((name) => name.endsWith('.snapshot'))
    .map((name) => BigInt(name.slice(0, -'.snapshot'.length)))
    .sort(compareOffsets);
}
