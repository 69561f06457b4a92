import { afterEach, describe, expect, it, vi } from 'vitest';
import { plainLogFields, stderrLogger } from './index.js';

describe('stderrLogger', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writesOneLinePerEntryEvenForErrorsWithStacksAndBigintFields', () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    stderrLogger.error('handler failed', { actor: 'broker-1', offset: 2n ** 63n - 1n, error: new Error('segment 42 is corrupt') });
    stderrLogger.info('started');
    expect(lines).toHaveLength(2);
    const [first, second] = lines as [string, string];
    expect(first.endsWith('\n') && first.indexOf('\n') === first.length - 1).toBe(true);
    expect(first).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z ERROR handler failed \{/);
    const fields = JSON.parse(first.slice(first.indexOf('{'))) as { offset: string; error: { message: string; stack: string } };
    expect(fields.offset).toBe('9223372036854775807');
    expect(fields.error.message).toBe('segment 42 is corrupt');
    expect(fields.error.stack).toContain('logger.test.ts');
    expect(second).toMatch(/ INFO started\n$/);
  });
});

describe('plainLogFields', () => {
  it('errorsAndBigintsBecomeWhatTheLineShows: the copy crosses a thread boundary and logs the same', () => {
    const error = new Error('disk full');
    const plain = plainLogFields({ partition: 'orders-0', offset: 42n, error });
    expect(plain).toEqual({ partition: 'orders-0', offset: '42', error: { name: 'Error', message: 'disk full', stack: error.stack } });
    expect(structuredClone(plain)).toEqual(plain);
  });
});
