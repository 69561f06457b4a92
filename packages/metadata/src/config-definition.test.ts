import { describe, expect, it } from 'vitest';
import { BROKER_CONFIGS, resolveBrokerConfig, UnknownConfigError, validateBrokerConfig } from './broker-configs.js';
import { InvalidConfigValueError, LONG_MAX_TEXT } from './config-definition.js';
import { TOPIC_CONFIGS } from './topic-configs.js';

const topic = (name: string) => TOPIC_CONFIGS.get(name)!;

describe('config definitions', () => {
  it('intRange: bounds inclusive, Java int limits, no fractions or words', () => {
    const segmentBytes = topic('segment.bytes');
    expect(segmentBytes.parse('14')).toBe(14);
    expect(segmentBytes.parse(' 2147483647 ')).toBe(2147483647);
    for (const bad of ['13', '2147483648', '1.5', '1e6', '', 'big']) {
      expect(() => segmentBytes.parse(bad), bad).toThrow(InvalidConfigValueError);
    }
    expect(() => segmentBytes.parse('13')).toThrow('Invalid value "13" for configuration segment.bytes: must be an int from 14 to 2147483647');
  });

  it('longRange: up to Long.MAX_VALUE, which reads as 2^63', () => {
    expect(topic('flush.messages').parse(LONG_MAX_TEXT)).toBe(2 ** 63);
    expect(() => topic('flush.messages').parse('9223372036854775808')).toThrow('must be a long from 1 to 9223372036854775807');
    expect(() => topic('retention.ms').parse('-2')).toThrow('must be a long from -1 to 9223372036854775807');
    expect(topic('retention.bytes').parse('-9223372036854775808')).toBe(-(2 ** 63));
  });

  it('booleans: true and false in any case', () => {
    const unclean = topic('unclean.leader.election.enable');
    expect(unclean.parse('TRUE')).toBe(true);
    expect(unclean.parse('false')).toBe(false);
    expect(() => unclean.parse('1')).toThrow('must be true or false');
  });

  it('choicesAndLists: exact values; list items trimmed, empty items dropped', () => {
    expect(topic('message.timestamp.type').parse('LogAppendTime')).toBe('LogAppendTime');
    expect(() => topic('message.timestamp.type').parse('logappendtime')).toThrow('must be one of CreateTime, LogAppendTime');
    expect(topic('cleanup.policy').parse(' compact , delete,')).toEqual(['compact', 'delete']);
    expect(() => topic('cleanup.policy').parse('compact;delete')).toThrow('must be a comma-separated list of compact, delete');
  });

  it('doubles: within the range only', () => {
    expect(topic('min.cleanable.dirty.ratio').parse('0.25')).toBe(0.25);
    for (const bad of ['1.5', '-0.1', 'half', '']) expect(() => topic('min.cleanable.dirty.ratio').parse(bad), bad).toThrow(InvalidConfigValueError);
  });

  it('everyDefaultParses and every topic synonym is a broker config', () => {
    for (const definition of [...TOPIC_CONFIGS.values(), ...BROKER_CONFIGS.values()]) {
      if (definition.defaultValue !== null) definition.parse(definition.defaultValue);
      expect(definition.documentation, definition.name).not.toBe('');
    }
    for (const definition of TOPIC_CONFIGS.values()) {
      for (const synonym of definition.synonyms) expect(BROKER_CONFIGS.has(synonym.name), `${definition.name} ← ${synonym.name}`).toBe(true);
    }
  });
});

describe('broker configs', () => {
  it('groupCoordinatorConfigsTakeKafkasDefaultsAndAreReadOnly', () => {
    const values = resolveBrokerConfig();
    expect({
      initialDelay: values['group.initial.rebalance.delay.ms'],
      minSession: values['group.min.session.timeout.ms'],
      maxSession: values['group.max.session.timeout.ms'],
      maxSize: values['group.max.size'],
      retentionMinutes: values['offsets.retention.minutes'],
      retentionCheck: values['offsets.retention.check.interval.ms'],
      commitTimeout: values['offsets.commit.timeout.ms'],
      metadataMax: values['offset.metadata.max.bytes'],
      loadBuffer: values['offsets.load.buffer.size'],
    }).toEqual({
      initialDelay: 3000,
      minSession: 6000,
      maxSession: 1_800_000,
      maxSize: 2_147_483_647,
      retentionMinutes: 10_080,
      retentionCheck: 600_000,
      commitTimeout: 5000,
      metadataMax: 4096,
      loadBuffer: 5_242_880,
    });
    for (const name of ['group.initial.rebalance.delay.ms', 'group.max.size', 'offsets.retention.minutes', 'offsets.commit.timeout.ms']) {
      expect(BROKER_CONFIGS.get(name)!.readOnly, name).toBe(true);
    }
    expect(() => validateBrokerConfig({ 'group.max.size': '0' })).toThrow('configuration group.max.size: must be an int from 1 to 2147483647');
  });

  it('resolveBrokerConfig: typed values, the first layer that sets a key wins, defaults fill the rest', () => {
    const values = resolveBrokerConfig(new Map([['message.max.bytes', '10']]), { 'message.max.bytes': '20', 'num.partitions': '3' });
    expect(values['message.max.bytes']).toBe(10);
    expect(values['num.partitions']).toBe(3);
    expect(values['auto.create.topics.enable']).toBe(true);
    expect(values['socket.request.max.bytes']).toBe(104857600);
    expect(values['connections.max.idle.ms']).toBe(600000);
    expect(values['log.cleanup.policy']).toEqual(['delete']);
    expect(values['log.retention.ms']).toBeNull();
    // Plain data, so it can cross to a worker thread.
    expect(structuredClone(values)).toEqual(values);
  });

  it('validateBrokerConfig: unknown keys list the known ones; bad values name the allowed ones', () => {
    expect(validateBrokerConfig({ 'num.partitions': '2' })).toEqual({ 'num.partitions': '2' });
    expect(() => validateBrokerConfig({ 'num.partition': '2' })).toThrow(UnknownConfigError);
    expect(() => validateBrokerConfig({ 'num.partition': '2' })).toThrow(
      /^Unknown broker config name: num.partition \(known: auto.create.topics.enable, auto.leader.rebalance.enable, broker.heartbeat.interval.ms, broker.session.timeout.ms, compression.type, .*fetch.max.bytes, group.initial.rebalance.delay.ms, group.max.session.timeout.ms, group.max.size, group.min.session.timeout.ms, .*num.partitions, offset.metadata.max.bytes, offsets.commit.timeout.ms, offsets.load.buffer.size, offsets.retention.check.interval.ms, offsets.retention.minutes, offsets.topic.num.partitions, .*\)$/,
    );
    expect(() => validateBrokerConfig({ 'num.partitions': '0' })).toThrow('Invalid value "0" for configuration num.partitions: must be an int from 1 to 2147483647');
  });
});
