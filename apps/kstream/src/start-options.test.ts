import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseStartArgs } from './start-options.js';

describe('parseStartArgs', () => {
  it('defaults: 3 brokers from 9092 with data in ./data', () => {
    expect(parseStartArgs([])).toEqual({ brokers: 3, port: 9092, dataDir: './data' });
  });

  it('bothSpellings: --flag value and --flag=value', () => {
    expect(parseStartArgs(['--brokers', '5', '--port=0', '--data-dir=/tmp/x'])).toEqual({ brokers: 5, port: 0, dataDir: '/tmp/x' });
  });

  it('missingValue: a flag followed by another flag has no value', () => {
    expect(() => parseStartArgs(['--port', '--brokers', '2'])).toThrow('--port needs a value');
  });

  it('repeatedFlag is refused rather than silently taking one', () => {
    expect(() => parseStartArgs(['--port', '1', '--port', '2'])).toThrow('--port is given more than once');
  });

  it('negativeOrFractional numbers are not whole numbers', () => {
    expect(() => parseStartArgs(['--port', '-1'])).toThrow('--port must be a whole number from 0 to 65535 (0 picks free ports), got "-1"');
    expect(() => parseStartArgs(['--brokers', '1.5'])).toThrow('got "1.5"');
  });

  it('portRangeOverflow: the last broker port must fit below 65536', () => {
    expect(() => parseStartArgs(['--port', '65534', '--brokers', '3'])).toThrow(ConfigError);
    expect(parseStartArgs(['--port', '65533', '--brokers', '3']).port).toBe(65533);
  });

  it('emptyDataDir is refused', () => {
    expect(() => parseStartArgs(['--data-dir='])).toThrow('--data-dir must not be empty');
  });
});
