import { describe, expect, it } from 'vitest';
import { ByteReader } from './byte-reader.js';
import { ProtocolDecodeError } from './protocol-error.js';

const reader = (hex: string) => new ByteReader(Buffer.from(hex.replace(/ /g, ''), 'hex'));

function decodeError(read: (r: ByteReader) => unknown, hex: string): ProtocolDecodeError {
  try {
    read(reader(hex));
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolDecodeError);
    return error as ProtocolDecodeError;
  }
  throw new Error(`decoding ${hex} did not fail`);
}

describe('ByteReader byte-exact vectors', () => {
  it('unsignedVarintBoundaries', () => {
    expect(reader('00').unsignedVarint()).toBe(0);
    expect(reader('7f').unsignedVarint()).toBe(127);
    expect(reader('8001').unsignedVarint()).toBe(128);
    expect(reader('ac02').unsignedVarint()).toBe(300);
    expect(reader('ffffffff0f').unsignedVarint()).toBe(2 ** 32 - 1);
  });

  it('zigzagVarintAndVarlong', () => {
    expect(reader('01').varint()).toBe(-1);
    expect(reader('02').varint()).toBe(1);
    expect(reader('feffffff0f').varint()).toBe(2 ** 31 - 1);
    expect(reader('ffffffff0f').varint()).toBe(-(2 ** 31));
    expect(reader('01').varlong()).toBe(-1n);
    expect(reader('8001').varlong()).toBe(64n);
    expect(reader('feffffffffffffffff01').varlong()).toBe(2n ** 63n - 1n);
    expect(reader('ffffffffffffffffff01').varlong()).toBe(-(2n ** 63n));
  });

  it('classicAndCompactStrings', () => {
    expect(reader('00056b61666b61').string()).toBe('kafka');
    expect(reader('ffff').nullableString()).toBeNull();
    expect(reader('066b61666b61').compactString()).toBe('kafka');
    expect(reader('00').compactNullableString()).toBeNull();
    expect(reader('03c3a9').compactString()).toBe('é');
  });

  it('bytesAreViewsOfTheFrame', () => {
    const r = reader('030102');
    const bytes = r.compactBytes();
    expect(bytes).toEqual(Buffer.from([1, 2]));
    expect(bytes.buffer).toBe(r.buf.buffer);
    expect(reader('ffffffff').nullableBytes()).toBeNull();
  });

  it('uuidAsLowerCaseHex', () => {
    expect(reader('00112233445566778899AABBCCDDEEFF').uuid()).toBe('00112233-4455-6677-8899-aabbccddeeff');
  });

  it('skipsATaggedFieldSection', () => {
    const r = reader('02 00 01 ff 05 02 aaaa 07');
    r.skipTaggedFields();
    expect(r.int8()).toBe(7);
  });

  it('neverReadsPastEnd', () => {
    const r = new ByteReader(Buffer.from('0000000700000008', 'hex'), 0, 4);
    expect(r.int32()).toBe(7);
    expect(() => r.int32()).toThrow('int32 needs 4 bytes, 0 left');
  });
});

describe('ByteReader never trusts a length', () => {
  it('shortRead', () => {
    expect(decodeError((r) => r.int64(), '000102').reason).toBe('int64 needs 8 bytes, 3 left');
  });

  it('varintLongerThanFiveBytes', () => {
    expect(decodeError((r) => r.unsignedVarint(), '8080808080 01').reason).toBe('varint longer than 5 bytes');
  });

  it('varlongLongerThanTenBytes', () => {
    expect(decodeError((r) => r.varlong(), '80808080808080808080 01').reason).toBe('varlong longer than 10 bytes');
  });

  it('varintRunningPastTheEnd', () => {
    expect(decodeError((r) => r.unsignedVarint(), '8080').reason).toBe('varint runs past the end of the message');
  });

  it('stringLengthBeyondTheBuffer', () => {
    expect(decodeError((r) => r.string(), '7fff 6b61').reason).toBe('string length 32767 exceeds the 2 bytes left');
  });

  it('negativeNonNullLength', () => {
    expect(decodeError((r) => r.nullableString(), 'fffe').reason).toBe('negative string length -2');
    expect(decodeError((r) => r.nullableBytes(), '80000000').reason).toBe('negative bytes length -2147483648');
  });

  it('nullWhereNotNullable', () => {
    expect(decodeError((r) => r.string(), 'ffff').reason).toBe('null string where the field is not nullable');
    expect(decodeError((r) => r.compactBytes(), '00').reason).toBe('null bytes where the field is not nullable');
  });

  it('compactLengthOverflow', () => {
    expect(decodeError((r) => r.compactString(), 'ffffffff0f').reason).toBe('string length 4294967294 exceeds the 0 bytes left');
  });

  it('arrayCountLargerThanTheRemainingBytesCouldHold', () => {
    expect(decodeError((r) => r.arrayLength(false, false, 4), '7fffffff 00000000').reason).toBe('array length 2147483647 exceeds the 4 bytes left');
    // Two int32 elements cannot fit in 7 bytes even though 2 < 7.
    expect(decodeError((r) => r.arrayLength(true, false, 4), '03 00000000 000000').reason).toBe('array length 2 exceeds the 7 bytes left');
    expect(reader('ffffffff').arrayLength(false, true, 4)).toBe(-1);
    expect(decodeError((r) => r.arrayLength(false, false, 4), 'ffffffff').reason).toBe('null array where the field is not nullable');
  });

  it('taggedFieldSizeBeyondTheBuffer', () => {
    expect(decodeError((r) => r.skipTaggedFields(), '01 00 7f 00').reason).toBe('tagged field size 127 exceeds the 1 bytes left');
  });
});
