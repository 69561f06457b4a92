import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseLogArgs } from './log-options.js';

describe('parseLogArgs', () => {
  it('withoutFlagsOrEnv: info, JSON when stderr is piped and readable on a terminal', () => {
    expect(parseLogArgs(['--brokers', '1'], {}, false)).toEqual({ log: { level: 'info', format: 'json' }, rest: ['--brokers', '1'] });
    expect(parseLogArgs([], {}, true).log).toEqual({ level: 'info', format: 'pretty' });
  });

  it('flagsInEitherSpellingLeaveTheOtherFlagsInOrder', () => {
    const parsed = parseLogArgs(['--port', '0', '--log-level', 'warn', '--log-format=json', '--data-dir', 'd'], {}, true);
    expect(parsed).toEqual({ log: { level: 'warn', format: 'json' }, rest: ['--port', '0', '--data-dir', 'd'] });
  });

  it('envGivesTheDefault, a flag overrides it', () => {
    const env = { KSTREAM_LOG_LEVEL: 'error', KSTREAM_LOG_FORMAT: 'pretty' };
    expect(parseLogArgs([], env, false).log).toEqual({ level: 'error', format: 'pretty' });
    expect(parseLogArgs(['--log-level', 'info'], env, false).log).toEqual({ level: 'info', format: 'pretty' });
  });

  it('badLevelNamesTheAllowedOnes, from the flag or the env', () => {
    expect(() => parseLogArgs(['--log-level', 'debug'], {}, false)).toThrow(new ConfigError('--log-level must be one of error, warn, info, silent, got "debug"'));
    expect(() => parseLogArgs([], { KSTREAM_LOG_LEVEL: 'INFO' }, false)).toThrow(new ConfigError('KSTREAM_LOG_LEVEL must be one of error, warn, info, silent, got "INFO"'));
    expect(() => parseLogArgs(['--log-format', 'xml'], {}, false)).toThrow(new ConfigError('--log-format must be one of json, pretty, got "xml"'));
  });

  it('flagWithoutValueOrGivenTwiceIsRefused', () => {
    expect(() => parseLogArgs(['--log-level'], {}, false)).toThrow(new ConfigError('--log-level needs a value'));
    expect(() => parseLogArgs(['--log-level', '--port', '0'], {}, false)).toThrow(new ConfigError('--log-level needs a value'));
    expect(() => parseLogArgs(['--log-level=warn', '--log-level', 'info'], {}, false)).toThrow(new ConfigError('--log-level is given more than once'));
  });
});
