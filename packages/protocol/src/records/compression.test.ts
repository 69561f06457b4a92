import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compressionCodec, compressionName } from './compression.js';
import { realisticRecords } from './compression.test-support.js';
import { CompressionType } from './record-batch-header.js';

const CODEC_TYPES = [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

describe('compression codecs', () => {
  it('registryHasKafkasFourCodecsAndNothingElse', () => {
    expect(CODEC_TYPES.map((t) => compressionCodec(t)?.name)).toEqual(['gzip', 'snappy', 'lz4', 'zstd']);
    for (const type of [CompressionType.None, 5, 6, 7]) expect(compressionCodec(type)).toBeUndefined();
    expect(compressionName(CompressionType.None)).toBe('none');
    expect(compressionName(CompressionType.Zstd)).toBe('zstd');
    expect(compressionName(6)).toBe('unknown (6)');
  });

  it('everyCodecRoundTripsArbitraryBytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CODEC_TYPES), fc.uint8Array({ maxLength: 5000 }), async (type, bytes) => {
        const codec = compressionCodec(type)!;
        const data = Buffer.from(bytes);
        expect(await codec.decompress(await codec.compress(data))).toEqual(data);
      }),
      { numRuns: 120 },
    );
  });

  it('everyCodecRoundTripsAndShrinksRealisticRecords', async () => {
    for (const size of [0, 1, 100_000, 2_500_000]) {
      const data = realisticRecords(size);
      for (const type of CODEC_TYPES) {
        const codec = compressionCodec(type)!;
        const compressed = await codec.compress(data);
        if (size >= 100_000) expect(compressed.length, codec.name).toBeLessThan(size / 2);
        expect((await codec.decompress(compressed)).equals(data), `${codec.name} ${size}`).toBe(true);
      }
    }
  });

  it('gzipWritesAGzipMember', async () => {
    const compressed = await compressionCodec(CompressionType.Gzip)!.compress(Buffer.from('x'));
    expect(compressed.subarray(0, 3).toString('hex')).toBe('1f8b08');
    await expect(compressionCodec(CompressionType.Gzip)!.decompress(Buffer.from('1f8b0800', 'hex'))).rejects.toThrow();
  });
});
