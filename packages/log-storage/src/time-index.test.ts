import { describe, expect, it } from 'vitest';
import { TimeIndex } from './time-index.js';

const BASE = 100n;

describe('TimeIndex', () => {
  it('maybeAppend: keeps only growing timestamps', () => {
    const index = new TimeIndex('x', BASE, 1200);
    index.maybeAppend(1000n, 101n);
    index.maybeAppend(1000n, 105n);
    index.maybeAppend(900n, 106n);
    index.maybeAppend(2000n, 110n);
    expect(index.entryCount).toBe(2);
    expect(index.lastEntry()).toEqual({ timestamp: 2000n, offset: 110n });
  });

  it('appendOutOfOrder: a greater timestamp at a smaller offset is a bug and throws', () => {
    const index = new TimeIndex('x', BASE, 1200);
    index.maybeAppend(1000n, 110n);
    expect(() => index.maybeAppend(2000n, 105n)).toThrow(RangeError);
  });

  it('lookupExtremeCases: lastEntryBefore is strict and undefined below the first entry', () => {
    const index = new TimeIndex('x', BASE, 1200);
    index.maybeAppend(1000n, 101n);
    index.maybeAppend(2000n, 110n);
    expect(index.lastEntryBefore(1000n)).toBeUndefined();
    expect(index.lastEntryBefore(1001n)).toEqual({ timestamp: 1000n, offset: 101n });
    expect(index.lastEntryBefore(2000n)).toEqual({ timestamp: 1000n, offset: 101n });
    expect(index.lastEntryBefore(1n << 60n)).toEqual({ timestamp: 2000n, offset: 110n });
  });

  it('isFull: the roll entry goes in even when full', () => {
    const index = new TimeIndex('x', BASE, 12);
    index.maybeAppend(1000n, 101n);
    expect(index.isFull).toBe(true);
    index.maybeAppend(2000n, 102n);
    expect(index.entryCount).toBe(1);
    index.maybeAppend(2000n, 102n, true);
    expect(index.entryCount).toBe(2);
  });

  it('truncate: drops entries at and above the offset', () => {
    const index = new TimeIndex('x', BASE, 1200);
    index.maybeAppend(1000n, 101n);
    index.maybeAppend(2000n, 110n);
    index.truncateTo(110n);
    expect(index.lastEntry()).toEqual({ timestamp: 1000n, offset: 101n });
  });

  it('reopen: reads a time index written by hand (8-byte timestamp, 4-byte relative offset)', () => {
    const bytes = Buffer.alloc(24);
    bytes.writeBigInt64BE(1_700_000_000_000n, 0);
    bytes.writeInt32BE(3, 8);
    bytes.writeBigInt64BE(1_700_000_000_500n, 12);
    bytes.writeInt32BE(9, 20);
    const index = new TimeIndex('x', BASE, 1200);
    expect(index.load(bytes, 110n)).toBeUndefined();
    expect(index.entry(1)).toEqual({ timestamp: 1_700_000_000_500n, offset: 109n });
  });

  it('sanityCheck: rejects a bad size, entries out of order, an offset past the segment', () => {
    const index = new TimeIndex('x', BASE, 1200);
    expect(index.load(Buffer.alloc(13), 200n)).toMatch(/not a multiple of 12/);
    const bytes = Buffer.alloc(24);
    bytes.writeBigInt64BE(2000n, 0);
    bytes.writeBigInt64BE(1000n, 12);
    expect(index.load(bytes, 200n)).toMatch(/out of order/);
    const past = Buffer.alloc(12);
    past.writeInt32BE(50, 8);
    expect(index.load(past, 120n)).toMatch(/past the segment's end/);
  });
});
