import { describe, expect, it } from 'vitest';
import { ASSUMED_OPEN_FILE_LIMIT, logOpenFiles, MIN_LOG_OPEN_FILES, parseOpenFileLimit, processOpenFileLimit } from './log-open-files.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

describe('log.open.files.max', () => {
  it('reads the soft open-file limit from /proc/self/limits', () => {
    expect(parseOpenFileLimit(LIMITS)).toBe(1024);
    expect(parseOpenFileLimit(LIMITS.replace('1024     ', 'unlimited'))).toBeUndefined();
    expect(parseOpenFileLimit('')).toBeUndefined();
    expect(parseOpenFileLimit(undefined)).toBeUndefined();
  });

  it("0 gives each broker of the node an equal share of half the process's limit", () => {
    expect(logOpenFiles(0, 3, 20_000)).toBe(3333);
    expect(logOpenFiles(0, 1, 1024)).toBe(512);
    expect(logOpenFiles(0, 3, undefined)).toBe(Math.floor(ASSUMED_OPEN_FILE_LIMIT / 2 / 3));
    expect(logOpenFiles(0, 32, 256)).toBe(MIN_LOG_OPEN_FILES);
  });

  it('a configured number is taken as it is', () => {
    expect(logOpenFiles(100, 3, 20_000)).toBe(100);
  });

  it('this process has a limit the broker can read (the node runs on Linux)', () => {
    expect(processOpenFileLimit()).toBeGreaterThan(0);
  });
});
