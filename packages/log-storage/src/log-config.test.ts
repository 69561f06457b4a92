import { describe, expect, it } from 'vitest';
import { LONG_MAX, defaultLogConfig, parseLogConfig, LOG_CONFIG_KEYS } from './log-config.js';
import { InvalidLogConfigError } from './storage-errors.js';

describe('LogConfig', () => {
  it("defaults: Kafka's values", () => {
    expect(defaultLogConfig).toEqual({
      segmentBytes: 1073741824,
      segmentMs: 604800000,
      segmentIndexBytes: 10485760,
      indexIntervalBytes: 4096,
      retentionMs: 604800000,
      retentionBytes: -1,
      messageTimestampType: 'CreateTime',
      flushMessages: LONG_MAX,
      flushMs: LONG_MAX,
      flushPolicy: 'page-cache',
    });
  });

  it('parse: Kafka names, strings or numbers, laid over the base', () => {
    const config = parseLogConfig({
      'segment.bytes': '1048576',
      'retention.ms': -1,
      'message.timestamp.type': 'LogAppendTime',
      'flush.ms': '9223372036854775807',
      'flush.policy': 'durable',
      'cleanup.policy': 'delete',
    });
    expect(config.segmentBytes).toBe(1048576);
    expect(config.retentionMs).toBe(-1);
    expect(config.messageTimestampType).toBe('LogAppendTime');
    expect(config.flushMs).toBe(LONG_MAX);
    expect(config.flushPolicy).toBe('durable');
    expect(config.indexIntervalBytes).toBe(4096);
    expect(parseLogConfig({ 'index.interval.bytes': 10 }, config).segmentBytes).toBe(1048576);
    expect(LOG_CONFIG_KEYS).toContain('segment.index.bytes');
  });

  it('invalidValues: the error names the key and what is allowed', () => {
    const cases: [string, unknown, RegExp][] = [
      ['segment.bytes', '13', /segment\.bytes.*integer from 14 to 2147483647/],
      ['segment.bytes', '1.5', /segment\.bytes/],
      ['segment.bytes', 2147483648, /segment\.bytes/],
      ['segment.ms', 0, /segment\.ms.*from 1 to 9223372036854775807/],
      ['retention.ms', -2, /retention\.ms.*from -1/],
      ['index.interval.bytes', 'many', /index\.interval\.bytes/],
      ['message.timestamp.type', 'WallClock', /message\.timestamp\.type.*one of CreateTime, LogAppendTime/],
      ['flush.messages', 0, /flush\.messages.*from 1/],
      ['flush.policy', 'sometimes', /flush\.policy.*one of page-cache, durable/],
    ];
    for (const [key, value, message] of cases) {
      let thrown: unknown;
      try {
        parseLogConfig({ [key]: value as string });
      } catch (error) {
        thrown = error;
      }
      expect(thrown, key).toBeInstanceOf(InvalidLogConfigError);
      expect((thrown as InvalidLogConfigError).key).toBe(key);
      expect((thrown as Error).message).toMatch(message);
    }
  });
});
