import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { storedBatches } from './log-cleaner-batches.js';
import { CleanerThrottle } from './log-cleaner-throttle.js';
import { LogDirIo } from './log-dir-io.js';
import { makeBatch } from './record-batch.test-support.js';
import { tempLogDir } from './log-test-dir.test-support.js';

describe('storedBatches', () => {
  it('batchesAcrossChunksAndLargerThanOne: every batch whole, in order, byte for byte; a walk stopped early leaves no read behind', async () => {
    const dir = tempLogDir();
    const sizes = [100, 700_000, 500_000, 1_600_000, 30, 1_048_000, 90];
    let offset = 0n;
    const batches = sizes.map((bodyBytes, i) => {
      const batch = makeBatch({ baseOffset: offset, bodyBytes, fill: i + 1 });
      offset += 1n;
      return batch;
    });
    const path = join(dir, 'segment.log');
    writeFileSync(path, Buffer.concat(batches));
    const io = new LogDirIo(dir);
    const file = await io.open(path, 'r');
    const size = batches.reduce((n, b) => n + b.length, 0);
    const seen: Buffer[] = [];
    for await (const { header, bytes } of storedBatches(file, size, new CleanerThrottle(Number.MAX_VALUE))) {
      expect(header.sizeInBytes).toBe(bytes.length);
      seen.push(Buffer.from(bytes));
    }
    expect(seen.length).toBe(batches.length);
    expect(seen.map((b, i) => b.equals(batches[i]!))).toEqual(batches.map(() => true));
    for await (const { header } of storedBatches(file, size, new CleanerThrottle(Number.MAX_VALUE))) {
      if (header.baseOffset === 1n) break;
    }
    await file.close();
  });
});
