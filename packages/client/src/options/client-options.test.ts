import { describe, expect, it, vi } from 'vitest';
import { KafkaConfigError } from '../errors/kafka-client-error.js';
import { resolveClientOptions, type ClientOptions } from './client-options.js';
import { booleanOption, enumOption, intOption } from './option-validators.js';

function configError(run: () => unknown): KafkaConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof KafkaConfigError) return error;
    throw error;
  }
  throw new Error('expected a KafkaConfigError');
}

describe('client options', () => {
  it('fillsKafkasDefaults', () => {
    const options = resolveClientOptions({ bootstrap: 'a:9092, b:9093' });
    expect(options).toMatchObject({
      bootstrap: [
        { host: 'a', port: 9092 },
        { host: 'b', port: 9093 },
      ],
      clientId: 'kstream-client',
      connectTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      metadataMaxAgeMs: 300_000,
      maxInFlightRequestsPerConnection: 5,
      retryBackoffMs: 100,
      retryBackoffMaxMs: 1000,
      retries: Infinity,
    });
  });

  it('acceptsAListAndIpv6AndResolvedOptions', () => {
    const options = resolveClientOptions({ bootstrap: ['[::1]:9092', 'h:1'] });
    expect(options.bootstrap).toEqual([
      { host: '::1', port: 9092 },
      { host: 'h', port: 1 },
    ]);
    expect(resolveClientOptions(options)).toEqual(options);
  });

  it('badBootstrapIsNamed', () => {
    for (const bootstrap of ['', 'localhost', 'h:0', 'h:70000', ['h:1', 5], 42]) {
      const error = configError(() => resolveClientOptions({ bootstrap } as unknown as ClientOptions));
      expect(error.key).toBe('bootstrap');
      expect(error.message).toMatch(/^bad option bootstrap: .*; allowed: host:port pairs/);
    }
  });

  it('badNumbersNameTheKeyAndTheRange', () => {
    expect(configError(() => resolveClientOptions({ bootstrap: 'h:1', requestTimeoutMs: 0 })).message).toBe('bad option requestTimeoutMs: 0; allowed: an integer >= 1');
    expect(configError(() => resolveClientOptions({ bootstrap: 'h:1', maxInFlightRequestsPerConnection: 1.5 })).key).toBe('maxInFlightRequestsPerConnection');
    expect(configError(() => resolveClientOptions({ bootstrap: 'h:1', retryBackoffMs: 500, retryBackoffMaxMs: 100 })).message).toBe(
      'bad option retryBackoffMaxMs: 100; allowed: an integer >= 500',
    );
    expect(configError(() => resolveClientOptions({ bootstrap: 'h:1', retries: -1 })).key).toBe('retries');
    expect(resolveClientOptions({ bootstrap: 'h:1', retries: 3 }).retries).toBe(3);
  });

  it('defaultLoggerWritesWarningsWithTheirFields', () => {
    const { logger } = resolveClientOptions({ bootstrap: 'h:1' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    try {
      logger.warn('slow', { offset: 12n, topic: 't' });
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      logger.warn('odd', cyclic);
      logger.info('dropped');
      logger.debug('dropped');
      expect(warn.mock.calls).toEqual([['slow {"offset":"12","topic":"t"}'], ['odd [object Object]']]);
      expect(info).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      info.mockRestore();
    }
  });

  it('badLoggerAndClientIdAreNamed', () => {
    expect(configError(() => resolveClientOptions({ bootstrap: 'h:1', logger: {} as never })).key).toBe('logger');
    expect(configError(() => resolveClientOptions({ bootstrap: 'h:1', clientId: '' })).message).toBe('bad option clientId: ""; allowed: a non-empty string');
  });
});

describe('option validators', () => {
  it('intOptionChecksItsRange', () => {
    expect(intOption({}, 'lingerMs', 5, 0)).toBe(5);
    expect(intOption({ lingerMs: 0 }, 'lingerMs', 5, 0)).toBe(0);
    expect(configError(() => intOption({ lingerMs: -1 }, 'lingerMs', 5, 0)).message).toBe('bad option lingerMs: -1; allowed: an integer >= 0');
    expect(configError(() => intOption({ n: 9 }, 'n', 1, 1, 8)).message).toBe('bad option n: 9; allowed: an integer from 1 to 8');
    expect(configError(() => intOption({ n: '3' }, 'n', 1, 1)).message).toBe('bad option n: "3"; allowed: an integer >= 1');
  });

  it('enumOptionListsTheAllowedValues', () => {
    expect(enumOption({}, 'compression', 'none', ['none', 'gzip'])).toBe('none');
    expect(enumOption({ compression: 'gzip' }, 'compression', 'none', ['none', 'gzip'])).toBe('gzip');
    expect(configError(() => enumOption({ compression: 'zip' }, 'compression', 'none', ['none', 'gzip'])).message).toBe('bad option compression: "zip"; allowed: "none", "gzip"');
  });

  it('booleanOptionRefusesTruthyValues', () => {
    expect(booleanOption({}, 'idempotent', true)).toBe(true);
    expect(configError(() => booleanOption({ idempotent: 'yes' }, 'idempotent', true)).message).toBe('bad option idempotent: "yes"; allowed: true or false');
  });
});
