import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.js';
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
});
