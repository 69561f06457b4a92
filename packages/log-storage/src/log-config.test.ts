import { describe, expect, it } from 'vitest';
import { LONG_MAX, defaultLogConfig, logConfig } from './log-config.js';

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
      cleanupPolicy: ['delete'],
      deleteRetentionMs: 86400000,
      minCleanableDirtyRatio: 0.5,
      minCompactionLagMs: 0,
      maxCompactionLagMs: LONG_MAX,
    });
  });

  it('overridesLaidOverBase: the rest keeps the base, the result is frozen', () => {
    const config = logConfig({ segmentBytes: 1048576, flushPolicy: 'durable' });
    expect(config.segmentBytes).toBe(1048576);
    expect(config.flushPolicy).toBe('durable');
    expect(config.indexIntervalBytes).toBe(defaultLogConfig.indexIntervalBytes);
    expect(logConfig({ indexIntervalBytes: 10 }, config).segmentBytes).toBe(1048576);
    expect(Object.isFrozen(config)).toBe(true);
  });
});
