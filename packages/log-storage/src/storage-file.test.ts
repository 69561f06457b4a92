import { describe, expect, it } from 'vitest';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FaultyFileSystem } from './faulty-file-system.test-support.js';
import { LogDirIo } from './log-dir-io.js';
import { tempLogDir } from './log-test-dir.test-support.js';
import { OpenFileBudget } from './open-file-budget.js';

function setup(limit: number) {
  const dir = tempLogDir();
  const fs = new FaultyFileSystem();
  const budget = new OpenFileBudget(limit);
  return { dir, fs, budget, io: new LogDirIo(dir, fs, LogDirIo.DEFAULT_INLINE_WRITE_MAX_BYTES, budget) };
}

describe('StorageFile under an OpenFileBudget', () => {
  it('an evictable file closed to make room reopens on its next call, reads and writes where they were', async () => {
    const { dir, fs, budget, io } = setup(1);
    const a = await io.openEvictable(join(dir, 'a.log'), true);
    await a.write([Buffer.from('hello ')], 0);
    const b = await io.openEvictable(join(dir, 'b.log'), true);
    expect(a.isOpen).toBe(false);
    expect(fs.openFiles).toEqual([join(dir, 'b.log')]);

    await a.write([Buffer.from('world')], 6);
    expect(b.isOpen).toBe(false);
    const buffer = Buffer.alloc(11);
    expect(await a.read(buffer, 0)).toBe(11);
    expect(buffer.toString()).toBe('hello world');
    expect(await a.size()).toBe(11);
    // A reopen must not truncate what a create made.
    expect(await b.size()).toBe(0);
    expect(fs.peakOpenFiles).toBe(1);
    expect(budget.evictions).toBeGreaterThanOrEqual(3);

    await a.close();
    await b.close();
    expect(budget.open).toBe(0);
    expect(fs.openFiles).toEqual([]);
  });

  it('a transient file waits for a slot; its close hands the slot on', async () => {
    const { dir, budget, io } = setup(1);
    const first = await io.open(join(dir, 'one'), 'w+');
    let second: Awaited<ReturnType<LogDirIo['open']>> | undefined;
    const opening = io.open(join(dir, 'two'), 'w+').then((f) => (second = f));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(second).toBeUndefined();
    await first.close();
    await opening;
    expect(budget.open).toBe(1);
    await second!.close();
    expect(budget.open).toBe(0);
  });

  it('writeInline refuses an evicted file (the writer then uses write, which reopens it)', async () => {
    const { dir, io } = setup(1);
    const a = await io.openEvictable(join(dir, 'a.log'), true);
    a.writeInline([Buffer.from('x')], 0);
    const b = await io.openEvictable(join(dir, 'b.log'), true);
    expect(() => a.writeInline([Buffer.from('y')], 1)).toThrow(/not open/);
    await a.write([Buffer.from('y')], 1);
    expect(readFileSync(join(dir, 'a.log'), 'utf8')).toBe('xy');
    await a.close();
    await b.close();
  });

  it('a pinned file stays open through a rename and leaves the budget until closed', async () => {
    const { dir, budget, io } = setup(1);
    writeFileSync(join(dir, 'a.log'), 'kept');
    const a = await io.openEvictable(join(dir, 'a.log'), false);
    await a.pin();
    renameSync(join(dir, 'a.log'), join(dir, 'a.log.deleted'));
    const b = await io.openEvictable(join(dir, 'b.log'), true);
    await b.write([Buffer.from('b')], 0);
    expect(budget.outside).toBe(1);
    const buffer = Buffer.alloc(4);
    await a.read(buffer, 0);
    expect(buffer.toString()).toBe('kept');
    await a.close();
    await b.close();
    expect(budget.outside).toBe(0);
    expect(budget.open).toBe(0);
  });

  it('pinning a file that is closed while its reopen waits for a slot does nothing, and fails nothing', async () => {
    const { dir, fs, budget, io } = setup(1);
    const a = await io.openEvictable(join(dir, 'a.log'), true);
    const b = await io.openEvictable(join(dir, 'b.log'), true);
    const held = await io.open(join(dir, 'transient'), 'w+');
    expect(a.isOpen || b.isOpen).toBe(false);
    // A truncation pins a deleted segment a reader still holds; the reader lets go (the last release closes it) first.
    const pinning = a.pin();
    await a.close();
    await held.close();
    await expect(pinning).resolves.toBeUndefined();
    await b.close();
    expect(budget.open).toBe(0);
    expect(budget.outside).toBe(0);
    expect(fs.openFiles).toEqual([]);
  });

  it('a call on a closed file fails with a storage error naming it, never touching another descriptor', async () => {
    const { dir, io } = setup(2);
    const a = await io.openEvictable(join(dir, 'a.log'), true);
    await a.close();
    await expect(a.read(Buffer.alloc(1), 0)).rejects.toThrow(/read .*a\.log failed .*closed/);
  });
});
