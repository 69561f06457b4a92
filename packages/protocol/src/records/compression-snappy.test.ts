import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { snappyCodec } from './compression-snappy.js';
import { realisticRecords } from './compression.test-support.js';

// snappyjs: a pure-JS snappy, independent of the native one we use.
const require = createRequire(import.meta.url);
const snappyjs = require('snappyjs') as { compress(data: Uint8Array): Buffer; uncompress(data: Uint8Array): Buffer };

const MAGIC = '82534e4150505900';

/** A xerial stream written with snappyjs, in blocks of `blockSize` bytes of input. */
function xerialBySnappyjs(data: Buffer, blockSize: number): Buffer {
  const parts: Buffer[] = [Buffer.from(`${MAGIC}0000000100000001`, 'hex')];
  for (let at = 0; at < data.length; at += blockSize) {
    const block = snappyjs.compress(data.subarray(at, at + blockSize));
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

describe('snappy', () => {
  it('compressWritesJavasXerialFramingIn32KiBBlocks', async () => {
    const data = realisticRecords(100_000);
    const out = await snappyCodec.compress(data);
    expect(out.subarray(0, 16).toString('hex')).toBe(`${MAGIC}0000000100000001`);
    const blocks: Buffer[] = [];
    for (let p = 16; p < out.length; ) {
      const length = out.readInt32BE(p);
      blocks.push(snappyjs.uncompress(out.subarray(p + 4, p + 4 + length)));
      p += 4 + length;
    }
    expect(blocks.map((b) => b.length)).toEqual([32768, 32768, 32768, 100_000 - 3 * 32768]);
    expect(Buffer.concat(blocks).equals(data)).toBe(true);
  });

  it('decompressesRawSnappyAsKafkajsWritesIt', async () => {
    const data = realisticRecords(70_000, 7);
    expect((await snappyCodec.decompress(snappyjs.compress(data))).equals(data)).toBe(true);
  });

  it('decompressesXerialWithAnyBlockSizeAndConcatenatedStreams', async () => {
    const a = realisticRecords(50_000, 2);
    const b = realisticRecords(3_000, 3);
    expect((await snappyCodec.decompress(xerialBySnappyjs(a, 10_000))).equals(a)).toBe(true);
    const concatenated = Buffer.concat([xerialBySnappyjs(a, 65_536), xerialBySnappyjs(b, 1024)]);
    expect((await snappyCodec.decompress(concatenated)).equals(Buffer.concat([a, b]))).toBe(true);
  });

  it('emptyInputIsAHeaderOnly', async () => {
    const out = await snappyCodec.compress(Buffer.alloc(0));
    expect(out.toString('hex')).toBe(`${MAGIC}0000000100000001`);
    expect(await snappyCodec.decompress(out)).toEqual(Buffer.alloc(0));
  });

  it('refusesABlockLengthBeyondTheData', async () => {
    const stream = xerialBySnappyjs(realisticRecords(1000), 1000);
    stream.writeInt32BE(5000, 16);
    await expect(snappyCodec.decompress(stream)).rejects.toThrow(/claims 5000 bytes/);
    await expect(snappyCodec.decompress(stream.subarray(0, 18))).rejects.toThrow(/cut short/);
    await expect(snappyCodec.decompress(Buffer.from('ff', 'hex'))).rejects.toThrow();
  });
});
