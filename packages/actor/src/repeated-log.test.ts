import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from './logger.js';
import { RepeatedLog } from './repeated-log.js';

interface Entry {
  level: string;
  msg: string;
  fields: object | undefined;
}

function capturingLogger(): Logger & { entries: Entry[] } {
  const entries: Entry[] = [];
  const at = (level: string) => (msg: string, fields?: object) => void entries.push({ level, msg, fields });
  return { entries, info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
}

describe('RepeatedLog', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sixtyIdenticalFailuresInThirtySeconds: one full line with the stack, then one summary line without it', () => {
    const logger = capturingLogger();
    const log = new RepeatedLog(logger, { intervalMs: 30_000 });
    for (let i = 0; i < 60; i++) {
      log.error('fetch|CorruptRecordError|orders-0', 'Fetch failed', { partition: 'orders-0', error: new Error(`corrupt batch at offset ${i}`) });
      vi.advanceTimersByTime(500);
    }
    expect(logger.entries).toHaveLength(2);
    const [first, summary] = logger.entries as [Entry, Entry];
    expect(first.level).toBe('ERROR');
    expect(first.msg).toBe('Fetch failed');
    expect((first.fields as { error: Error }).error.stack).toContain('corrupt batch at offset 0');
    expect(summary.level).toBe('ERROR');
    expect(summary.msg).toBe('Fetch failed (repeated 59 times in the last 30 s)');
    expect(summary.fields).toEqual({ partition: 'orders-0', error: 'Error: corrupt batch at offset 59' });
  });

  it('differentKeysAreNotMerged: each key is logged in full and summarised on its own', () => {
    const logger = capturingLogger();
    const log = new RepeatedLog(logger, { intervalMs: 1_000 });
    for (let i = 0; i < 3; i++) {
      log.error('flush|orders-0', 'Flush failed', { partition: 'orders-0' });
      log.error('flush|orders-1', 'Flush failed', { partition: 'orders-1' });
      log.warn('retention|orders-0', 'Retention failed');
    }
    vi.advanceTimersByTime(1_000);
    expect(logger.entries.map((e) => [e.level, e.msg, e.fields])).toEqual([
      ['ERROR', 'Flush failed', { partition: 'orders-0' }],
      ['ERROR', 'Flush failed', { partition: 'orders-1' }],
      ['WARN', 'Retention failed', undefined],
      ['ERROR', 'Flush failed (repeated 2 times in the last 1 s)', { partition: 'orders-0' }],
      ['ERROR', 'Flush failed (repeated 2 times in the last 1 s)', { partition: 'orders-1' }],
      ['WARN', 'Retention failed (repeated 2 times in the last 1 s)', undefined],
    ]);
  });

  it('quietIntervalForgetsTheKey: after an interval without repeats the next occurrence is logged in full again', () => {
    const logger = capturingLogger();
    const log = new RepeatedLog(logger, { intervalMs: 1_000 });
    log.error('k', 'Disk full', { error: new Error('ENOSPC') });
    vi.advanceTimersByTime(1_000);
    expect(logger.entries).toHaveLength(1);
    log.error('k', 'Disk full', { error: new Error('ENOSPC') });
    expect(logger.entries).toHaveLength(2);
    expect((logger.entries[1]!.fields as { error: Error }).error).toBeInstanceOf(Error);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1_000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('closeWritesTheSummariesOwed', () => {
    const logger = capturingLogger();
    const log = new RepeatedLog(logger, { intervalMs: 30_000 });
    log.warn('k', 'Write failed');
    log.warn('k', 'Write failed');
    log.close();
    expect(logger.entries.map((e) => e.msg)).toEqual(['Write failed', 'Write failed (repeated once in the last 30 s)']);
    expect(vi.getTimerCount()).toBe(0);
  });
});
