import fc from 'fast-check';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CorruptRecordBatchError } from './record-batch-error.js';
import { RecordReader } from './record-reader.js';
import { varintSize, varlongSize, writeVarint, writeVarlong } from './record-varint.js';

// kafkajs's Encoder writes varints with its own zigzag and LEB128 code: an independent reference.
const require = createRequire(import.meta.url);
const KafkajsEncoder = require('kafkajs/src/protocol/encoder') as new () => {
  writeVarInt(value: number): { buffer: Buffer };
  writeVarLong(value: number): { buffer: Buffer };
};

function written(write: (buf: Uint8Array, at: number, value: number) => number, value: number): Buffer {
  const buf = Buffer.alloc(10);
  return buf.subarray(0, write(buf, 0, value));
}

function reader(hex: string): RecordReader {
  const buf = Buffer.from(hex, 'hex');
  return new RecordReader(buf, 0, buf.length, 0n);
}

const int32 = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 63, -64, 64, -65, 2 ** 31 - 1, -(2 ** 31)));
const safeInteger = fc.oneof(int32, fc.maxSafeInteger(), fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 31, -(2 ** 31) - 1));

describe('record varints', () => {
  it('varintBytesMatchKafkajsAndReadBack', () => {
    fc.assert(
      fc.property(int32, (value) => {
        const bytes = written(writeVarint, value);
        expect(bytes.length).toBe(varintSize(value));
        expect(bytes).toEqual(new KafkajsEncoder().writeVarInt(value).buffer);
        const r = new RecordReader(bytes, 0, bytes.length, 0n);
        expect(r.varint('v')).toBe(value);
        expect(r.remaining).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('varlongBytesMatchKafkajsAndReadBack', () => {
    fc.assert(
      fc.property(safeInteger, (value) => {
        const bytes = written(writeVarlong, value);
        expect(bytes.length).toBe(varlongSize(value));
        expect(bytes).toEqual(new KafkajsEncoder().writeVarLong(value).buffer);
        const r = new RecordReader(bytes, 0, bytes.length, 0n);
        expect(r.varlong('v')).toBe(value);
        expect(r.remaining).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('varintOverflowIsTyped', () => {
    expect(() => reader('ffffffffff01').varint('v')).toThrow(CorruptRecordBatchError);
    expect(() => reader('ffffffff10').varint('v')).toThrow(/longer than 5 bytes or exceeds 32 bits \(varint-overflow\)/);
    expect(reader('ffffffff0f').varint('v')).toBe(-(2 ** 31));
  });

  it('varlongOverflowIsTyped', () => {
    expect(() => reader('ffffffffffffffffffff01').varlong('v')).toThrow(/longer than 10 bytes/);
    expect(() => reader('ffffffffffffffffff7f').varlong('v')).toThrow(/exceeds 64 bits|beyond/);
    expect(() => reader('808080808080808080' + '01').varlong('v')).toThrow(/beyond ±2\^53/);
  });

  it('truncatedVarintsAreTyped', () => {
    for (const hex of ['', '80', 'ffff', 'ffffffff']) {
      expect(() => reader(hex).varint('v')).toThrow(/runs past the end \(truncated\)/);
    }
    for (const hex of ['', '80', 'ffffffffff', 'ffffffffffffffffff']) {
      expect(() => reader(hex).varlong('v')).toThrow(/runs past the end \(truncated\)/);
    }
  });
});
