import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { LogCapture } from './log-capture.test-support.js';
import { checkStartOptions, nodeBrokerConfig, parseStartArgs, START_DEFAULTS } from './start-options.js';

const parse = (args: string[]) => parseStartArgs(args, new LogCapture());

describe('parseStartArgs', () => {
  it('defaults: 3 brokers from 9092 with data in ./data, metrics on 9644', () => {
    expect(parse([])).toEqual({ brokers: 3, port: 9092, dataDir: './data', config: {}, metricsPort: 9644 });
  });

  it('bothSpellings: --flag value and --flag=value', () => {
    expect(parse(['--brokers', '5', '--port=0', '--data-dir=/tmp/x'])).toEqual({ brokers: 5, port: 0, dataDir: '/tmp/x', config: {}, metricsPort: 0 });
  });

  it('missingValue: a flag followed by another flag has no value', () => {
    expect(() => parse(['--port', '--brokers', '2'])).toThrow('--port needs a value');
  });

  it('repeatedFlag is refused rather than silently taking one', () => {
    expect(() => parse(['--port', '1', '--port', '2'])).toThrow('--port is given more than once');
  });

  it('negativeOrFractional numbers are not whole numbers', () => {
    expect(() => parse(['--port', '-1'])).toThrow('--port must be a whole number from 0 to 65535 (0 picks free ports), got "-1"');
    expect(() => parse(['--brokers', '1.5'])).toThrow('got "1.5"');
  });

  it('portRangeOverflow: the last broker port must fit below 65536', () => {
    expect(() => parse(['--port', '65534', '--brokers', '3'])).toThrow(ConfigError);
    expect(parse(['--port', '65533', '--brokers', '3']).port).toBe(65533);
  });

  it('emptyDataDir is refused', () => {
    expect(() => parse(['--data-dir='])).toThrow('--data-dir must not be empty');
  });

  it('configFlags: --config key=value is repeatable, in both spellings', () => {
    expect(parse(['--config', 'num.partitions=3', '--config=log.retention.ms=-1']).config).toEqual({
      'num.partitions': '3',
      'log.retention.ms': '-1',
    });
  });

  it('configFlagProblems: no key=value, the same key twice, unknown keys, bad values', () => {
    expect(() => parse(['--config', 'num.partitions'])).toThrow('--config needs key=value, got "num.partitions"');
    expect(() => parse(['--config', '=3'])).toThrow('--config needs key=value, got "=3"');
    expect(() => parse(['--config', 'num.partitions=2', '--config', 'num.partitions=3'])).toThrow('--config num.partitions is given more than once');
    expect(() => parse(['--config', 'num.partition=3'])).toThrow(/^--config num.partition: Unknown broker config name: num.partition; did you mean num.partitions\?$/);
    expect(() => parse(['--config', 'colour=blue'])).toThrow(/^--config colour: Unknown broker config name: colour \(known: auto.create.topics.enable, .*num.partitions.*\)$/);
    expect(() => parse(['--config', 'listeners=PLAINTEXT://:9092'])).toThrow(
      '--config listeners: listeners is a Kafka setting kstream does not apply: each broker listens on 127.0.0.1, from --port on',
    );
    expect(() => parse(['--config', 'auto.create.topics.enable=yes'])).toThrow(
      '--config auto.create.topics.enable: Invalid value "yes" for configuration auto.create.topics.enable: must be true or false',
    );
  });

  it('configFile: read first, then --config overrides the same key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kstream-start-options-'));
    try {
      const path = join(dir, 'server.properties');
      await writeFile(path, 'num.partitions=2\ndefault.replication.factor=3\n');
      expect(parse(['--config-file', path, '--config', 'num.partitions=5']).config).toEqual({
        'num.partitions': '5',
        'default.replication.factor': '3',
      });
      expect(() => parse(['--config-file', path, '--config-file', path])).toThrow('--config-file is given more than once');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('checkStartOptions validates configs given in code, as startCluster takes them', () => {
    expect(() => checkStartOptions({ ...START_DEFAULTS, config: { 'message.max.bytes': '-1' } })).toThrow(
      'config message.max.bytes: Invalid value "-1" for configuration message.max.bytes: must be an int from 0 to 2147483647',
    );
    expect(() => checkStartOptions({ ...START_DEFAULTS, config: { 'num.partitions': 3 } as never })).toThrow('config num.partitions must be given as a string, got number');
  });
});

describe('nodeBrokerConfig', () => {
  it('fewerBrokersThanTheInternalTopicsNeed: unset replication settings fall to the broker count', () => {
    expect(nodeBrokerConfig(1, { 'num.partitions': '2' })).toEqual({
      'num.partitions': '2',
      'offsets.topic.replication.factor': '1',
      'transaction.state.log.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
    });
    expect(nodeBrokerConfig(2, {})).toEqual({ 'offsets.topic.replication.factor': '2', 'transaction.state.log.replication.factor': '2' });
  });

  it('theUsersSettingWins: a key the user set is kept, even above the broker count', () => {
    expect(nodeBrokerConfig(1, { 'offsets.topic.replication.factor': '3' })).toEqual({
      'offsets.topic.replication.factor': '3',
      'transaction.state.log.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
    });
  });

  it("enoughBrokers: Kafka's defaults stand", () => {
    expect(nodeBrokerConfig(3, {})).toEqual({});
    expect(nodeBrokerConfig(5, { 'num.partitions': '4' })).toEqual({ 'num.partitions': '4' });
  });
});
