import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, tableCrc32 } from './crc32.js';

describe('crc32', () => {
  it('checkValue: the standard check input "123456789" gives 0xCBF43926, natively and from the table', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(tableCrc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('emptyInput is 0', () => {
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(tableCrc32(new Uint8Array(0))).toBe(0);
  });

  // node:zlib has crc32 from Node 20.15 on; where present it is the reference.
  it.runIf(typeof zlibCrc32 === 'function')('agreesWithZlib on arbitrary bytes: the table, as an older Node computes it, too', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => tableCrc32(bytes) === zlibCrc32(bytes) && crc32(bytes) === zlibCrc32(bytes)),
      { numRuns: 200 },
    );
  });
});
