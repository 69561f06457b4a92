import { describe, expect, it } from 'vitest';
import { resolveBrokerConfig } from '@kstream/metadata';
import { groupCoordinatorConfig } from './group-coordinator-config.js';

describe('groupCoordinatorConfig', () => {
  it('eachSettingComesFromItsKafkaKey: retention minutes become milliseconds', () => {
    const config = resolveBrokerConfig({
      'group.initial.rebalance.delay.ms': '11',
      'group.min.session.timeout.ms': '12',
      'group.max.session.timeout.ms': '13',
      'group.max.size': '14',
      'offsets.retention.minutes': '15',
      'offsets.retention.check.interval.ms': '16',
      'offset.metadata.max.bytes': '17',
      'offsets.load.buffer.size': '18',
    });
    expect(groupCoordinatorConfig(config)).toEqual({
      groupInitialRebalanceDelayMs: 11,
      groupMinSessionTimeoutMs: 12,
      groupMaxSessionTimeoutMs: 13,
      groupMaxSize: 14,
      offsetsRetentionMs: 15 * 60_000,
      offsetsRetentionCheckIntervalMs: 16,
      offsetMetadataMaxBytes: 17,
      offsetsLoadBufferSize: 18,
    });
  });

  it('kafkasDefaults: seven days of retention', () => {
    expect(groupCoordinatorConfig(resolveBrokerConfig()).offsetsRetentionMs).toBe(7 * 24 * 3_600_000);
  });
});
