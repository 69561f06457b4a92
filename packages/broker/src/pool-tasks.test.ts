import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runPoolTask } from './pool-tasks.js';

describe('pool tasks', () => {
  it('gunzip returns the bytes that were compressed', () => {
    const original = Buffer.from('kstream '.repeat(1000));
    const output = runPoolTask({ task: 'gunzip', input: gzipSync(original) }) as Uint8Array;
    expect(Buffer.from(output).equals(original)).toBe(true);
  });

  it('unknownTask: names the task and the known ones', () => {
    expect(() => runPoolTask({ task: 'rebuildEverything' as 'gunzip', input: new Uint8Array() })).toThrow(
      'unknown pool task "rebuildEverything" (known: gunzip)',
    );
  });
});
