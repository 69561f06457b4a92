import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { missingCommand, runCommand } from './cli.test-support.js';
import { zstdFrames } from './compression-zstd-frame.js';
import { zstdCodec } from './compression-zstd.js';
import { realisticRecords } from './compression.test-support.js';

const zstdMissing = missingCommand('zstd');
if (zstdMissing) console.log(`skipping zstd interop with the reference library: ${zstdMissing}`);

/** The reference tool reading stdin streams, as Kafka's Java producer does: no content size in the frame header. */
const streamed = (data: Buffer): Buffer => runCommand('zstd', ['-c', '-q', '-3'], data);

describe('zstd', () => {
  it.skipIf(zstdMissing !== undefined)('referenceZstdDecodesOurFrames', async () => {
    const data = realisticRecords(1_000_000, 5);
    expect(runCommand('zstd', ['-d', '-c', '-q'], await zstdCodec.compress(data)).equals(data)).toBe(true);
  });

  it.skipIf(zstdMissing !== undefined)('decodesStreamedFramesWithoutAContentSizeLargerThanOneMiB', async () => {
    for (const size of [0, 1, 200_000, 3_500_000]) {
      const data = realisticRecords(size, 6);
      const frame = streamed(data);
      if (size > 0) expect(zstdFrames(frame)[0]!.declaredSize, 'streamed frames declare no size').toBeUndefined();
      expect((await zstdCodec.decompress(frame)).equals(data), `${size} bytes`).toBe(true);
    }
  });

  it.skipIf(zstdMissing !== undefined)('decodesConcatenatedAndSkippableFrames', async () => {
    const a = realisticRecords(300_000, 7);
    const b = realisticRecords(5_000, 8);
    const skippable = Buffer.from('5a2a4d18' + '03000000' + 'abcdef', 'hex');
    const data = Buffer.concat([streamed(a), skippable, await zstdCodec.compress(b)]);
    expect((await zstdCodec.decompress(data)).equals(Buffer.concat([a, b]))).toBe(true);
  });

  it('frameBoundCoversTheContent', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 400_000 }), fc.nat(), async (size, seed) => {
        const data = realisticRecords(size, seed);
        const [frame] = zstdFrames(await zstdCodec.compress(data));
        expect(frame!.declaredSize).toBe(size);
        expect(frame!.maxSize).toBeGreaterThanOrEqual(size);
      }),
      { numRuns: 20 },
    );
  });

  it('refusesCutFramesAndGarbage', async () => {
    const frame = await zstdCodec.compress(realisticRecords(50_000));
    for (const cut of [3, 5, 8, frame.length - 1]) {
      await expect(zstdCodec.decompress(frame.subarray(0, cut)), `cut at ${cut}`).rejects.toThrow(/zstd: .*cut short/);
    }
    await expect(zstdCodec.decompress(Buffer.from('definitely not zstd'))).rejects.toThrow(/no frame magic/);
    await expect(zstdCodec.decompress(Buffer.alloc(0))).rejects.toThrow(/no frame/);
    // Magic, a descriptor of 0x60 (single segment, 2-byte content size), then the first block header.
    expect(frame[4]).toBe(0x60);
    const reservedBlockType = Buffer.from(frame);
    reservedBlockType[7]! |= 0x06;
    await expect(zstdCodec.decompress(reservedBlockType)).rejects.toThrow(/reserved block type/);
  });
});
