import { describe, expect, it } from 'vitest';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { ProtocolEncodeError } from './protocol-error.js';

function bytesOf(write: (w: ByteWriter) => void, initialCapacity = 16): string {
  const w = new ByteWriter(initialCapacity);
  write(w);
  return w.toBuffer().toString('hex');
}

// Vectors pinned by hand from the protocol guide's definitions, not produced by this code.
describe('ByteWriter byte-exact vectors', () => {
  it('unsignedVarintBoundaries', () => {
    expect(bytesOf((w) => w.unsignedVarint(0))).toBe('00');
    expect(bytesOf((w) => w.unsignedVarint(127))).toBe('7f');
    expect(bytesOf((w) => w.unsignedVarint(128))).toBe('8001');
    expect(bytesOf((w) => w.unsignedVarint(300))).toBe('ac02');
    expect(bytesOf((w) => w.unsignedVarint(16383))).toBe('ff7f');
    expect(bytesOf((w) => w.unsignedVarint(16384))).toBe('808001');
    expect(bytesOf((w) => w.unsignedVarint(2 ** 32 - 1))).toBe('ffffffff0f');
  });

  it('zigzagVarintBoundaries', () => {
    expect(bytesOf((w) => w.varint(0))).toBe('00');
    expect(bytesOf((w) => w.varint(-1))).toBe('01');
    expect(bytesOf((w) => w.varint(1))).toBe('02');
    expect(bytesOf((w) => w.varint(-64))).toBe('7f');
    expect(bytesOf((w) => w.varint(64))).toBe('8001');
    expect(bytesOf((w) => w.varint(2 ** 31 - 1))).toBe('feffffff0f');
    expect(bytesOf((w) => w.varint(-(2 ** 31)))).toBe('ffffffff0f');
  });

  it('zigzagVarlongBoundaries', () => {
    expect(bytesOf((w) => w.varlong(0n))).toBe('00');
    expect(bytesOf((w) => w.varlong(-1n))).toBe('01');
    expect(bytesOf((w) => w.varlong(2n ** 63n - 1n))).toBe('feffffffffffffffff01');
    expect(bytesOf((w) => w.varlong(-(2n ** 63n)))).toBe('ffffffffffffffffff01');
  });

  it('classicAndCompactStrings', () => {
    expect(bytesOf((w) => w.string('kafka'))).toBe('00056b61666b61');
    expect(bytesOf((w) => w.string(''))).toBe('0000');
    expect(bytesOf((w) => w.nullableString(null))).toBe('ffff');
    expect(bytesOf((w) => w.compactString('kafka'))).toBe('066b61666b61');
    expect(bytesOf((w) => w.compactString(''))).toBe('01');
    expect(bytesOf((w) => w.compactNullableString(null))).toBe('00');
    // Lengths count UTF-8 bytes, not UTF-16 units: "é" is 2 bytes.
    expect(bytesOf((w) => w.compactString('é'))).toBe('03c3a9');
  });

  it('classicAndCompactBytesAndArrays', () => {
    expect(bytesOf((w) => w.bytes(Buffer.from([1, 2])))).toBe('000000020102');
    expect(bytesOf((w) => w.nullableBytes(null))).toBe('ffffffff');
    expect(bytesOf((w) => w.compactBytes(Buffer.from([1, 2])))).toBe('030102');
    expect(bytesOf((w) => w.compactNullableBytes(null))).toBe('00');
    expect(bytesOf((w) => w.arrayLength(3, false))).toBe('00000003');
    expect(bytesOf((w) => w.arrayLength(null, false))).toBe('ffffffff');
    expect(bytesOf((w) => w.arrayLength(3, true))).toBe('04');
    expect(bytesOf((w) => w.arrayLength(null, true))).toBe('00');
  });

  it('fixedWidthBigEndian', () => {
    expect(bytesOf((w) => w.int16(-2))).toBe('fffe');
    expect(bytesOf((w) => w.uint16(65535))).toBe('ffff');
    expect(bytesOf((w) => w.int32(-2))).toBe('fffffffe');
    expect(bytesOf((w) => w.uint32(2 ** 32 - 1))).toBe('ffffffff');
    expect(bytesOf((w) => w.int64(-2n))).toBe('fffffffffffffffe');
    expect(bytesOf((w) => w.int64(-2))).toBe('fffffffffffffffe');
    expect(bytesOf((w) => w.int64(2 ** 40 + 1))).toBe('0000010000000001');
    expect(bytesOf((w) => w.float64(1.5))).toBe('3ff8000000000000');
    expect(bytesOf((w) => w.bool(true))).toBe('01');
    expect(bytesOf((w) => w.uuid('00112233-4455-6677-8899-aabbccddeeff'))).toBe('00112233445566778899aabbccddeeff');
  });

  it('sizePrefixOfOneByteIsPatchedInPlace', () => {
    const hex = bytesOf((w) => {
      const mark = w.beginSizePrefixed();
      w.int32(7);
      w.endSizePrefixed(mark);
    });
    expect(hex).toBe('0400000007');
  });

  it('sizePrefixBeyond127MovesTheValueUp', () => {
    const value = Buffer.alloc(300, 0xab);
    const out = new ByteWriter(8);
    out.int8(9);
    const mark = out.beginSizePrefixed();
    out.raw(value);
    out.endSizePrefixed(mark);
    out.int8(10);
    const bytes = out.toBuffer();
    expect(bytes.subarray(0, 3).toString('hex')).toBe('09ac02');
    expect(bytes.subarray(3, 303)).toEqual(value);
    expect(bytes[303]).toBe(10);
    expect(bytes.length).toBe(304);
  });

  it('everyWriteLandsInTheGrownBuffer', () => {
    // Each write starts at a full buffer, so each one triggers the growth.
    const writes: [(w: ByteWriter) => void, (r: ByteReader) => unknown, unknown][] = [
      [(w) => w.int8(-5), (r) => r.int8(), -5],
      [(w) => w.bool(true), (r) => r.bool(), true],
      [(w) => w.int16(-300), (r) => r.int16(), -300],
      [(w) => w.uint16(60000), (r) => r.uint16(), 60000],
      [(w) => w.int32(-70000), (r) => r.int32(), -70000],
      [(w) => w.uint32(4e9), (r) => r.uint32(), 4e9],
      [(w) => w.int64(-5n), (r) => r.int64(), -5n],
      [(w) => w.int64(-5), (r) => r.int64(), -5n],
      [(w) => w.float64(2.5), (r) => r.float64(), 2.5],
      [(w) => w.uuid('00112233-4455-6677-8899-aabbccddeeff'), (r) => r.uuid(), '00112233-4455-6677-8899-aabbccddeeff'],
      [(w) => w.unsignedVarint(2 ** 32 - 1), (r) => r.unsignedVarint(), 2 ** 32 - 1],
      [(w) => w.varint(-70000), (r) => r.varint(), -70000],
      [(w) => w.varlong(-(2n ** 40n)), (r) => r.varlong(), -(2n ** 40n)],
      [(w) => w.string('grow'), (r) => r.string(), 'grow'],
      [(w) => w.compactString('grow'), (r) => r.compactString(), 'grow'],
      [(w) => w.bytes(Buffer.from('grow')), (r) => r.bytes().toString(), 'grow'],
      [(w) => w.compactBytes(Buffer.from('grow')), (r) => r.compactBytes().toString(), 'grow'],
    ];
    for (const [write, read, expected] of writes) {
      const w = new ByteWriter(1);
      w.int8(1);
      write(w);
      const r = new ByteReader(w.toBuffer());
      r.int8();
      expect(read(r)).toEqual(expected);
      expect(r.remaining).toBe(0);
    }
  });

  it('growsPastItsInitialCapacity', () => {
    const w = new ByteWriter(1);
    for (let i = 0; i < 1000; i++) w.int32(i);
    const r = new ByteReader(w.toBuffer());
    for (let i = 0; i < 1000; i++) expect(r.int32()).toBe(i);
  });
});

describe('ByteWriter refuses values the type cannot carry', () => {
  it.each([
    ['int8', (w: ByteWriter) => w.int8(128), '128 is not a valid int8'],
    ['int16', (w: ByteWriter) => w.int16(40000), '40000 is not a valid int16'],
    ['int32 fraction', (w: ByteWriter) => w.int32(1.5), '1.5 is not a valid int32'],
    ['uint32 negative', (w: ByteWriter) => w.uint32(-1), '-1 is not a valid uint32'],
    ['int64 overflow', (w: ByteWriter) => w.int64(2n ** 63n), '9223372036854775808n is not a valid int64'],
    ['string as int32', (w: ByteWriter) => w.int32('5' as unknown as number), '"5" is not a valid int32'],
    ['null string', (w: ByteWriter) => w.compactString(null as unknown as string), 'null where a string is required'],
    ['uuid', (w: ByteWriter) => w.uuid('not-a-uuid'), 'uuid "not-a-uuid" is not 8-4-4-4-12 hex'],
    ['long string', (w: ByteWriter) => w.string('x'.repeat(40000)), 'string of 40000 bytes exceeds the limit of 32767'],
  ])('%s', (_name, write, message) => {
    const w = new ByteWriter();
    expect(() => write(w)).toThrow(ProtocolEncodeError);
    expect(() => write(w)).toThrow(message);
  });
});
