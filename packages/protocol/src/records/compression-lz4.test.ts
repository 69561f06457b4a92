import { describe, expect, it } from 'vitest';
import { missingCommand, runCommand } from './cli.test-support.js';
import { lz4Codec } from './compression-lz4.js';
import { realisticRecords } from './compression.test-support.js';

const lz4Missing = missingCommand('lz4');
if (lz4Missing) console.log(`skipping lz4 interop with the reference library: ${lz4Missing}`);

describe('lz4', () => {
  it('writesAFrameKafkasJavaDecoderReads', async () => {
    for (const size of [0, 10, 100_000, 3_000_000]) {
      const frame = await lz4Codec.compress(realisticRecords(size));
      expect(frame.readUInt32LE(0)).toBe(0x184d2204);
      const flg = frame[4]!;
      expect(flg >> 6, 'version 01').toBe(1);
      expect(flg & 0x20, 'independent blocks (KafkaLZ4BlockInputStream cannot link them)').toBe(0x20);
      expect(flg & 0x03, 'no dictionary id, reserved bit clear').toBe(0);
      expect([0x40, 0x50, 0x60, 0x70], 'block size 64 KiB to 4 MiB').toContain(frame[5]!);
    }
  });

  it.skipIf(lz4Missing !== undefined)('referenceLz4DecodesOurFrames', async () => {
    const data = realisticRecords(1_500_000, 3);
    expect(runCommand('lz4', ['-d', '-c', '-q'], await lz4Codec.compress(data)).equals(data)).toBe(true);
  });

  it.skipIf(lz4Missing !== undefined)('decodesFramesOfEveryShapeTheReferenceWrites', async () => {
    const data = realisticRecords(600_000, 4);
    const shapes = [
      [], // 4 MiB blocks, content checksum: the tool's defaults
      ['-B4', '--no-frame-crc'], // Kafka's Java producer: 64 KiB independent blocks, no checksums
      ['-BD'], // linked blocks
      ['-B5', '-BX'], // block checksums
      ['--content-size'],
    ];
    for (const args of shapes) {
      const frame = runCommand('lz4', ['-c', '-q', ...args], data);
      expect((await lz4Codec.decompress(frame)).equals(data), args.join(' ')).toBe(true);
    }
  });

  it('refusesGarbageAndCutFrames', async () => {
    const frame = await lz4Codec.compress(realisticRecords(10_000));
    await expect(lz4Codec.decompress(frame.subarray(0, frame.length - 8))).rejects.toThrow();
    await expect(lz4Codec.decompress(Buffer.from('not an lz4 frame'))).rejects.toThrow();
  });
});
