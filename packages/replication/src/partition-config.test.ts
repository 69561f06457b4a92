import { describe, expect, it } from 'vitest';
import { defaultLogConfig, LONG_MAX } from '@kstream/log-storage';
import { InvalidConfigValueError, TOPIC_CONFIGS } from '@kstream/metadata';
import { LOG_CONFIG_SOURCES, partitionConfigFrom } from './partition-config.js';

describe('partitionConfigFrom', () => {
  it("tableDefaultsAreTheLogsDefaults: a topic with no configs gets log-storage's own defaults", () => {
    expect(partitionConfigFrom({}).log).toEqual(defaultLogConfig);
  });

  it('everyLogSettingHasATopicConfig', () => {
    for (const key of Object.values(LOG_CONFIG_SOURCES)) expect(TOPIC_CONFIGS.has(key), key).toBe(true);
  });

  it('valuesParsedByTheTable', () => {
    const config = partitionConfigFrom({
      'segment.bytes': '1048576',
      'retention.ms': -1,
      'message.timestamp.type': 'LogAppendTime',
      'min.insync.replicas': '2',
      'max.message.bytes': 10,
    });
    expect(config.log.segmentBytes).toBe(1048576);
    expect(config.log.retentionMs).toBe(-1);
    expect(config.log.messageTimestampType).toBe('LogAppendTime');
    expect(config.minInsyncReplicas).toBe(2);
    expect(config.maxMessageBytes).toBe(10);
  });

  it('compactionSettingsCarried: cleanup.policy and the cleaner keys reach the LogConfig', () => {
    const config = partitionConfigFrom({
      'cleanup.policy': 'compact,delete',
      'delete.retention.ms': '1000',
      'min.cleanable.dirty.ratio': '0.1',
      'min.compaction.lag.ms': 5,
      'max.compaction.lag.ms': '60000',
    });
    expect(config.log).toMatchObject({
      cleanupPolicy: ['compact', 'delete'],
      deleteRetentionMs: 1000,
      minCleanableDirtyRatio: 0.1,
      minCompactionLagMs: 5,
      maxCompactionLagMs: 60000,
    });
  });

  it('flushMessagesOneIsTheDurablePolicy', () => {
    expect(partitionConfigFrom({ 'flush.messages': '1' }).log).toMatchObject({ flushPolicy: 'durable', flushMessages: LONG_MAX });
    expect(partitionConfigFrom({ 'flush.messages': '9223372036854775807' }).log.flushPolicy).toBe('page-cache');
    expect(partitionConfigFrom({ 'flush.messages': '5' }).log).toMatchObject({ flushPolicy: 'page-cache', flushMessages: 5 });
  });

  it('invalidValueNamesTheKeyAndWhatIsAllowed', () => {
    expect(() => partitionConfigFrom({ 'segment.bytes': '13' })).toThrow(InvalidConfigValueError);
    expect(() => partitionConfigFrom({ 'segment.bytes': '13' })).toThrow(/segment\.bytes.*14/);
    expect(() => partitionConfigFrom({ 'min.insync.replicas': '0' })).toThrow(/min\.insync\.replicas/);
    expect(() => partitionConfigFrom({ 'message.timestamp.type': 'WallClock' })).toThrow(/message\.timestamp\.type/);
  });
});
