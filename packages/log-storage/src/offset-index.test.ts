import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogDirIo } from './log-dir-io.js';
import { OffsetIndex } from './offset-index.js';
import { tempLogDir } from './log-test-dir.test-support.js';

const BASE = 45n;

function indexWith(entries: [bigint, number][], maxIndexSize = 1024): OffsetIndex {
  const index = new OffsetIndex('/nonexistent/00000000000000000045.index', BASE, maxIndexSize);
  for (const [offset, position] of entries) index.append(offset, position);
  return index;
}

describe('OffsetIndex', () => {
  it('lookupExtremeCases: below the first entry gives (base, 0), above the last gives the last', () => {
    const index = indexWith([
      [50n, 100],
      [60n, 200],
    ]);
    expect(index.lookup(BASE)).toEqual({ offset: BASE, position: 0 });
    expect(index.lookup(10n)).toEqual({ offset: BASE, position: 0 });
    expect(index.lookup(49n)).toEqual({ offset: BASE, position: 0 });
    expect(index.lookup(50n)).toEqual({ offset: 50n, position: 100 });
    expect(index.lookup(59n)).toEqual({ offset: 50n, position: 100 });
    expect(index.lookup(60n)).toEqual({ offset: 60n, position: 200 });
    expect(index.lookup(1n << 40n)).toEqual({ offset: 60n, position: 200 });
  });

  it('lookupEmpty: an empty index sends every lookup to the start of the segment', () => {
    expect(indexWith([]).lookup(1000n)).toEqual({ offset: BASE, position: 0 });
  });

  it('lookupManyEntries: binary search finds the greatest entry at or below', () => {
    const entries: [bigint, number][] = [];
    for (let i = 0; i < 500; i++) entries.push([BASE + BigInt(i * 3 + 1), i * 4096 + 7]);
    const index = indexWith(entries, 8 * 1000);
    for (let i = 0; i < 500; i++) {
      const offset = BASE + BigInt(i * 3 + 1);
      expect(index.lookup(offset)).toEqual({ offset, position: i * 4096 + 7 });
      expect(index.lookup(offset + 2n)).toEqual({ offset, position: i * 4096 + 7 });
    }
  });

  it('appendOutOfOrder: an entry not above the last is a bug and throws', () => {
    const index = indexWith([[50n, 100]]);
    expect(() => index.append(50n, 200)).toThrow(RangeError);
    expect(() => index.append(49n, 300)).toThrow(RangeError);
    expect(() => index.append(51n, 100)).toThrow(RangeError);
  });

  it('isFull: segment.index.bytes bounds the entries; a full index takes no more', () => {
    const index = indexWith(
      [
        [46n, 10],
        [47n, 20],
      ],
      16,
    );
    expect(index.isFull).toBe(true);
    index.append(48n, 30);
    expect(index.entryCount).toBe(2);
  });

  it('truncate: drops entries at and above the offset', () => {
    const index = indexWith([
      [50n, 100],
      [60n, 200],
      [70n, 300],
    ]);
    index.truncateTo(60n);
    expect(index.entryCount).toBe(1);
    expect(index.lastEntry()).toEqual({ offset: 50n, position: 100 });
    index.truncateTo(0n);
    expect(index.entryCount).toBe(0);
  });

  it('reopen: reads an index file written by hand (4-byte relative offset, 4-byte position, big-endian)', () => {
    const bytes = Buffer.from([0, 0, 0, 5, 0, 0, 0x10, 0, 0, 0, 0, 15, 0, 0, 0x20, 0]);
    const index = new OffsetIndex('x', BASE, 1024);
    expect(index.load(bytes, 0x3000)).toBeUndefined();
    expect(index.entry(0)).toEqual({ offset: 50n, position: 4096 });
    expect(index.entry(1)).toEqual({ offset: 60n, position: 8192 });
  });

  it('sanityCheck: rejects a size not a multiple of 8, entries out of order, positions past the log', () => {
    const index = new OffsetIndex('x', BASE, 1024);
    expect(index.load(Buffer.alloc(12), 100)).toMatch(/not a multiple of 8/);
    const outOfOrder = Buffer.from([0, 0, 0, 9, 0, 0, 0, 50, 0, 0, 0, 5, 0, 0, 0, 60]);
    expect(index.load(outOfOrder, 100)).toMatch(/out of order/);
    const pastEnd = Buffer.from([0, 0, 0, 9, 0, 0, 0x10, 0]);
    expect(index.load(pastEnd, 4096)).toMatch(/past the end of the log/);
  });

  it('persist: writes exactly the entries, then only the new ones, and cuts after a truncation', async () => {
    const dir = tempLogDir();
    const path = join(dir, '00000000000000000045.index');
    const io = new LogDirIo(dir);
    const index = new OffsetIndex(dir, BASE, 1024);
    index.append(50n, 100);
    await index.persist(io, false);
    expect(readFileSync(path)).toEqual(Buffer.from([0, 0, 0, 5, 0, 0, 0, 100]));
    index.append(60n, 200);
    index.append(70n, 300);
    await index.persist(io, true);
    expect(readFileSync(path).length).toBe(24);
    index.truncateTo(60n);
    await index.persist(io, false);
    expect(readFileSync(path)).toEqual(Buffer.from([0, 0, 0, 5, 0, 0, 0, 100]));
    writeFileSync(path, Buffer.alloc(40, 0xff));
    index.reset();
    index.append(46n, 1);
    await index.persist(io, false);
    expect(readFileSync(path)).toEqual(Buffer.from([0, 0, 0, 1, 0, 0, 0, 1]));
  });
});
