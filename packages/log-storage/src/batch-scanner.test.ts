import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanBatches, type ScannedBatch } from './batch-scanner.js';
import { LogDirIo } from './log-dir-io.js';
import { makeBatch } from './record-batch.test-support.js';
import { tempLogDir } from './log-test-dir.test-support.js';

async function scanFile(bytes: Buffer, chunkSize: number, verifyCrc: boolean) {
  const dir = tempLogDir();
  const path = join(dir, 'scan.log');
  writeFileSync(path, bytes);
  const file = await new LogDirIo(dir).open(path, 'r');
  try {
    const seen: ScannedBatch[] = [];
    const result = await scanBatches(file, 0, bytes.length, { verifyCrc, chunkSize }, (b) => {
      seen.push(b);
    });
    return { seen, result };
  } finally {
    await file.close();
  }
}

describe('scanBatches', () => {
  it('chunkBoundaries: any chunk size sees every batch once, with or without read-ahead, and stops at a bad CRC', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 61, max: 5000 }),
        fc.boolean(),
        fc.option(fc.tuple(fc.nat(), fc.nat()), { nil: undefined }),
        async (bodies, chunkSize, verifyCrc, flip) => {
          let offset = 0n;
          const batches = bodies.map((bodyBytes, i) => {
            const b = makeBatch({ baseOffset: offset, records: 2, bodyBytes, fill: i });
            offset += 2n;
            return b;
          });
          const positions: number[] = [];
          let at = 0;
          for (const b of batches) {
            positions.push(at);
            at += b.length;
          }
          const bytes = Buffer.concat(batches);
          let corrupt: number | undefined;
          if (flip !== undefined) {
            const victim = flip[0] % batches.length;
            if (batches[victim]!.length > 61) {
              corrupt = victim;
              bytes[positions[victim]! + 61 + (flip[1] % (batches[victim]!.length - 61))] ^= 0x40;
            }
          }
          const { seen, result } = await scanFile(bytes, chunkSize, verifyCrc);
          const expected = verifyCrc && corrupt !== undefined ? corrupt : batches.length;
          expect(seen.map((b) => b.position)).toEqual(positions.slice(0, expected));
          expect(seen.map((b) => b.baseOffset)).toEqual(positions.slice(0, expected).map((_, i) => BigInt(i * 2)));
          if (expected < batches.length) {
            expect(result.problem).toMatchObject({ position: positions[expected], description: expect.stringMatching(/CRC32C/) });
          } else {
            expect(result).toEqual({ end: bytes.length });
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('tornTail: an incomplete last batch is reported at its position', async () => {
    const bytes = Buffer.concat([makeBatch({ bodyBytes: 100 }), makeBatch({ baseOffset: 1n, bodyBytes: 100 }).subarray(0, 120)]);
    const { seen, result } = await scanFile(bytes, 64, true);
    expect(seen).toHaveLength(1);
    expect(result).toEqual({ end: 161, problem: { position: 161, offset: 1n, description: 'incomplete batch: needs 161 bytes, 120 present' } });
  });
});
