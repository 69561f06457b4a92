import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { LogDirIo } from './log-dir-io.js';
import { OffsetIndex } from './offset-index.js';
import { openLog } from './partition-log.test-support.js';
import { batchesIn, makeBatch } from './record-batch.test-support.js';
import { readAtOffset } from './segment-offset-read.js';
import { tempLogDir } from './log-test-dir.test-support.js';

const BASE = 100n;

interface Stored {
  position: number;
  size: number;
  baseOffset: bigint;
  lastOffset: bigint;
}

/** Batches back to back from BASE, written to a file, and a sparse index of the chosen ones (lastOffset -> position, as the segment writes it). */
function segmentOf(specs: { records: number; bodyBytes: number; indexed: boolean }[]) {
  const stored: Stored[] = [];
  const buffers: Buffer[] = [];
  const index = new OffsetIndex('/nonexistent/00000000000000000100.index', BASE, 8 * (specs.length + 1));
  let position = 0;
  let offset = BASE;
  for (const [i, spec] of specs.entries()) {
    const batch = makeBatch({ baseOffset: offset, records: spec.records, bodyBytes: spec.bodyBytes, fill: i % 256 });
    const lastOffset = offset + BigInt(spec.records - 1);
    stored.push({ position, size: batch.length, baseOffset: offset, lastOffset });
    if (spec.indexed) index.append(lastOffset, position);
    buffers.push(batch);
    position += batch.length;
    offset = lastOffset + 1n;
  }
  return { stored, bytes: Buffer.concat(buffers), index, nextOffset: offset };
}

async function openFile(bytes: Buffer) {
  const dir = tempLogDir();
  const path = join(dir, '00000000000000000100.log');
  writeFileSync(path, bytes);
  return new LogDirIo(dir).open(path, 'r');
}

const batchSpec = fc.record({
  records: fc.integer({ min: 1, max: 4 }),
  bodyBytes: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 2000, max: 9000 })),
  indexed: fc.boolean(),
});

describe('readAtOffset', () => {
  it('findsTheBatchInOneRead: what it returns is the first batch ending at or after the offset, with at least what a fetch serves of it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(batchSpec, { minLength: 1, maxLength: 12 }),
        fc.nat(),
        fc.constantFrom(0, 300, 8192, 1 << 20),
        fc.integer({ min: 0, max: 20_000 }),
        async (specs, pick, spanLimit, maxBytes) => {
          const { stored, bytes, index, nextOffset } = segmentOf(specs);
          const file = await openFile(bytes);
          try {
            // Any offset of the segment, or just past its end.
            const offset = BASE + BigInt(pick % (Number(nextOffset - BASE) + 2));
            const result = await readAtOffset(file, index, offset, maxBytes, bytes.length, nextOffset, spanLimit);
            const wanted = stored.find((b) => b.lastOffset >= offset);
            if (wanted === undefined) {
              expect(result).toBe('none');
              return;
            }
            // Where one read must do: the batch wanted has an index entry (a consumer reading on), or the entries around it are close.
            const wantedIndexed = specs[stored.indexOf(wanted)]!.indexed;
            const below = index.lookup(offset);
            const span = (index.lookupAtOrAbove(offset)?.position ?? bytes.length) - below.position;
            if (wantedIndexed || span <= spanLimit) expect(result).not.toBeUndefined();
            if (result === undefined) return;
            expect(result).not.toBe('none');
            if (result === 'none') return;
            expect(result.batch).toMatchObject(wanted);
            expect(result.head.length).toBeGreaterThanOrEqual(Math.min(maxBytes, bytes.length - wanted.position));
            expect(result.head).toEqual(bytes.subarray(wanted.position, wanted.position + result.head.length));
          } finally {
            await file.close();
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('unsettledOnGarbage: a header that is not one sends the caller to its scan, which reports it', async () => {
    const { bytes, index, nextOffset } = segmentOf([
      { records: 2, bodyBytes: 40, indexed: false },
      { records: 2, bodyBytes: 40, indexed: true },
    ]);
    bytes.fill(0xff, 0, 61);
    const file = await openFile(bytes);
    expect(await readAtOffset(file, index, BASE + 2n, 1000, bytes.length, nextOffset, 8192)).toBeUndefined();
    await file.close();
  });
});

describe('PartitionLog reads, one disk read per fetch', () => {
  it.each([
    ['20 KiB batches, each indexed', 20_000, 64 * 1024],
    ['100 B batches, 4 KiB between index entries', 100, 1024],
  ])('%s: a consumer reading on from its last fetch costs one read of the .log per fetch', async (_, bodyBytes, maxBytes) => {
    const fs = new FaultyFileSystem();
    const log = await openLog(tempLogDir(), { fileSystem: fs });
    const sent: number[] = [];
    for (let i = 0; i < 200; i++) {
      await log.appendAsLeader(makeBatch({ records: 2, bodyBytes, fill: i % 256 }), 0);
      sent.push(i % 256);
    }
    const received: number[] = [];
    let fetches = 0;
    const before = fs.readCalls.length;
    for (let offset = 0n; offset < log.logEndOffset; fetches++) {
      const read = await log.read(offset, { maxBytes });
      received.push(...batchesIn(read.records).map((b) => b.fill));
      offset = read.nextOffset;
    }
    expect(received).toEqual(sent);
    expect(fs.readCalls.slice(before).filter((p) => p.endsWith('.log'))).toHaveLength(fetches);
    await log.close();
  });
});
