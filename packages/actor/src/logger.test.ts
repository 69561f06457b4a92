import { afterEach, describe, expect, it, vi } from 'vitest';
import { atLevel, LOG_LEVELS, plainLogFields, stderrLogger, withFields } from './index.js';
import type { Logger } from './index.js';

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

/** A Logger that keeps its entries as [level, message, fields]. */
function recordingLogger(): { entries: [string, string, object | undefined][]; logger: Logger } {
  const entries: [string, string, object | undefined][] = [];
  const record = (level: string) => (msg: string, fields?: object) => void entries.push([level, msg, fields]);
  return { entries, logger: { info: record('info'), warn: record('warn'), error: record('error') } };
}

describe('withFields', () => {
  it('addsTheFieldsToEveryEntry, an entrys own fields winning', () => {
    const { entries, logger: inner } = recordingLogger();
    const controller = withFields(inner, { component: 'controller' });
    controller.info('broker 1 registered');
    controller.warn('broker 2 fenced', { brokerEpoch: 4, component: 'controller/quorum' });
    expect(entries).toEqual([
      ['info', 'broker 1 registered', { component: 'controller' }],
      ['warn', 'broker 2 fenced', { component: 'controller/quorum', brokerEpoch: 4 }],
    ]);
  });
});

describe('atLevel', () => {
  it('dropsTheEntriesBelowTheLevel and passes the rest with their fields', () => {
    const { entries, logger: inner } = recordingLogger();
    for (const level of LOG_LEVELS) {
      const logger = atLevel(inner, level);
      logger.info('listening', { broker: 1 });
      logger.warn('ISR shrank', { partition: 'orders-0' });
      logger.error('flush failed');
    }
    expect(entries).toEqual([
      ['error', 'flush failed', undefined],
      ['warn', 'ISR shrank', { partition: 'orders-0' }],
      ['error', 'flush failed', undefined],
      ['info', 'listening', { broker: 1 }],
      ['warn', 'ISR shrank', { partition: 'orders-0' }],
      ['error', 'flush failed', undefined],
    ]);
  });
});
