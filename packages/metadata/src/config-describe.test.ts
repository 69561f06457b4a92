import { describe, expect, it } from 'vitest';
import { ConfigSource, ConfigType } from './config-definition.js';
import { describeBrokerConfigs, describeTopicConfigs, effectiveTopicConfigs } from './config-describe.js';
import type { BrokerConfigLayers } from './config-describe.js';
import { TOPIC_CONFIGS } from './topic-configs.js';

const layers = (fields: { broker?: Record<string, string>; cluster?: Record<string, string>; static?: Record<string, string> } = {}): BrokerConfigLayers => ({
  dynamicBroker: new Map(Object.entries(fields.broker ?? {})),
  dynamicDefault: new Map(Object.entries(fields.cluster ?? {})),
  static: fields.static ?? {},
});

function topicConfig(name: string, topic: Record<string, string>, broker: BrokerConfigLayers) {
  return describeTopicConfigs(new Map(Object.entries(topic)), broker).find((c) => c.name === name)!;
}

describe('describeTopicConfigs', () => {
  it('defaultFromBrokerSynonym: retention.ms is log.retention.hours=168 in milliseconds', () => {
    expect(topicConfig('retention.ms', {}, layers())).toEqual({
      name: 'retention.ms',
      value: '604800000',
      source: ConfigSource.DEFAULT_CONFIG,
      readOnly: false,
      isSensitive: false,
      type: ConfigType.LONG,
      documentation: TOPIC_CONFIGS.get('retention.ms')!.documentation,
      synonyms: [{ name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG }],
    });
  });

  it('synonymOrder: the topic, then each broker key from most to least specific, each by layer', () => {
    const config = topicConfig(
      'retention.ms',
      { 'retention.ms': '100' },
      layers({ broker: { 'log.retention.minutes': '3' }, cluster: { 'log.retention.ms': '200' }, static: { 'log.retention.hours': '2' } }),
    );
    expect(config.value).toBe('100');
    expect(config.source).toBe(ConfigSource.TOPIC_CONFIG);
    expect(config.synonyms).toEqual([
      { name: 'retention.ms', value: '100', source: ConfigSource.TOPIC_CONFIG },
      { name: 'log.retention.ms', value: '200', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
      { name: 'log.retention.minutes', value: '3', source: ConfigSource.DYNAMIC_BROKER_CONFIG },
      { name: 'log.retention.hours', value: '2', source: ConfigSource.STATIC_BROKER_CONFIG },
      { name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG },
    ]);
  });

  it('unitConversion: minutes and hours synonyms become milliseconds', () => {
    expect(topicConfig('retention.ms', {}, layers({ static: { 'log.retention.minutes': '5' } }))).toMatchObject({
      value: '300000',
      source: ConfigSource.STATIC_BROKER_CONFIG,
    });
    expect(topicConfig('segment.ms', {}, layers({ cluster: { 'log.roll.hours': '1' } }))).toMatchObject({
      value: '3600000',
      source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
    });
    // Forever is -1 in every unit.
    expect(topicConfig('retention.ms', {}, layers({ static: { 'log.retention.hours': '-1' } })).value).toBe('-1');
  });

  it('perBrokerBeatsClusterWideBeatsStatic for the same key', () => {
    const all = layers({ broker: { 'message.max.bytes': '3' }, cluster: { 'message.max.bytes': '2' }, static: { 'message.max.bytes': '1' } });
    expect(topicConfig('max.message.bytes', {}, all)).toMatchObject({ value: '3', source: ConfigSource.DYNAMIC_BROKER_CONFIG });
    const noBroker = layers({ cluster: { 'message.max.bytes': '2' }, static: { 'message.max.bytes': '1' } });
    expect(topicConfig('max.message.bytes', {}, noBroker)).toMatchObject({ value: '2', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
    expect(topicConfig('max.message.bytes', {}, layers({ static: { 'message.max.bytes': '1' } }))).toMatchObject({
      value: '1',
      source: ConfigSource.STATIC_BROKER_CONFIG,
    });
  });

  it('flushMs: log.flush.interval.ms has no default, so log.flush.scheduler.interval.ms supplies it', () => {
    expect(topicConfig('flush.ms', {}, layers())).toMatchObject({
      value: '9223372036854775807',
      synonyms: [{ name: 'log.flush.scheduler.interval.ms', value: '9223372036854775807', source: ConfigSource.DEFAULT_CONFIG }],
    });
  });

  it('everyKeyHasAValue, in name order', () => {
    const configs = describeTopicConfigs(new Map(), layers());
    expect(configs.map((c) => c.name)).toEqual([...TOPIC_CONFIGS.keys()].sort());
    for (const config of configs) {
      expect(config.value, config.name).not.toBeNull();
      TOPIC_CONFIGS.get(config.name)!.parse(config.value!);
    }
  });

  it('effectiveTopicConfigs: the values a log runs with', () => {
    const values = effectiveTopicConfigs(new Map([['segment.bytes', '1024']]), layers({ static: { 'log.flush.interval.messages': '1' } }));
    expect(values).toMatchObject({ 'segment.bytes': '1024', 'flush.messages': '1', 'retention.ms': '604800000', 'cleanup.policy': 'delete' });
  });
});

describe('describeBrokerConfigs', () => {
  it('sources: dynamic per broker, cluster-wide, static, default; read-only flags', () => {
    const configs = describeBrokerConfigs(layers({ broker: { 'log.retention.ms': '1' }, cluster: { 'log.segment.bytes': '2048' }, static: { 'num.partitions': '3' } }));
    const byName = new Map(configs.map((c) => [c.name, c]));
    expect(byName.get('log.retention.ms')).toMatchObject({ value: '1', source: ConfigSource.DYNAMIC_BROKER_CONFIG, readOnly: false });
    expect(byName.get('log.segment.bytes')).toMatchObject({
      value: '2048',
      source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
      synonyms: [
        { name: 'log.segment.bytes', value: '2048', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
        { name: 'log.segment.bytes', value: '1073741824', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    expect(byName.get('num.partitions')).toMatchObject({ value: '3', source: ConfigSource.STATIC_BROKER_CONFIG, readOnly: true, type: ConfigType.INT });
    expect(byName.get('socket.request.max.bytes')).toMatchObject({ value: '104857600', source: ConfigSource.DEFAULT_CONFIG, readOnly: true });
    expect(byName.get('log.retention.minutes')).toMatchObject({ value: null, source: ConfigSource.DEFAULT_CONFIG, synonyms: [] });
  });
});
