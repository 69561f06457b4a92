import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arch } from 'node:os';
import { crc32c as nodeRsCrc32c } from '@node-rs/crc32';
import { crc32c, crc32cImplementation } from './crc32c.js';
import { kafkajsCrc32c } from './kafkajs.test-support.js';

describe('crc32c', () => {
  it('matchesTheCastagnoliCheckValue', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('matchesTheIscsiTestVectors', () => {
    // RFC 3720 appendix B.4.
    expect(crc32c(Buffer.alloc(32, 0x00))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).toBe(0x46dd794e);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)))).toBe(0x113fdb5c);
  });

  it('isUnsignedAndAgreesWithKafkajs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const crc = crc32c(bytes);
        expect(crc).toBeGreaterThanOrEqual(0);
        expect(crc).toBe(kafkajsCrc32c(Buffer.from(bytes)));
      }),
      { numRuns: 200 },
    );
  });

  it('continuesOverChunks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.uint8Array({ maxLength: 512 }), (a, b) => {
        expect(crc32c(b, crc32c(a))).toBe(crc32c(Buffer.concat([a, b])));
      }),
      { numRuns: 100 },
    );
  });

  it('usesTheAddonOnX64: npm install builds it, and every x86-64 CPU kstream targets has SSE4.2', (ctx) => {
    if (arch() !== 'x64') {
      console.log(`usesTheAddonOnX64 skipped: the addon is x86-64 only, this is ${arch()} (crc32c uses @node-rs/crc32)`);
      ctx.skip();
      return;
    }
    expect(crc32cImplementation).toBe('kstream addon (SSE4.2, 3 streams)');
  });

  it('agreesWithNodeRsAcrossBlockSizes: any length (three-stream blocks of 8 KiB and 256 B, tails), alignment and initial value', () => {
    const source = Buffer.alloc(80_000);
    for (let i = 0; i < source.length; i++) source[i] = (i * 2654435761) >>> 24;
    const length = fc.oneof(fc.integer({ min: 0, max: 1024 }), fc.integer({ min: 0, max: 79_000 }), fc.constantFrom(768, 24_576, 25_344, 49_152, 49_159));
    fc.assert(
      fc.property(length, fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 0xffffffff }), (n, start, initial) => {
        const bytes = source.subarray(start, start + n);
        expect(crc32c(bytes, initial)).toBe(nodeRsCrc32c(bytes, initial) >>> 0);
      }),
      { numRuns: 500 },
    );
  });

  it('refusesWhatIsNotBytes: the addon throws a TypeError rather than reading memory it was not given', (ctx) => {
    if (crc32cImplementation === '@node-rs/crc32') {
      console.log('refusesWhatIsNotBytes skipped: the addon is not loaded here (crc32c uses @node-rs/crc32)');
      ctx.skip();
      return;
    }
    expect(() => crc32c('123456789' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => crc32c(new Uint16Array(4) as unknown as Uint8Array)).toThrow(TypeError);
  });
});
