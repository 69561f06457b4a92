// The broker configs the group coordinator reads, from Kafka's names to its
// own typed settings.
import type { GroupCoordinatorConfig } from '@kstream/group-coordinator';
import type { BrokerConfigValues } from '@kstream/metadata';

const MS_PER_MINUTE = 60_000;

/** `config`'s group coordinator settings (offsets.retention.minutes as milliseconds). */
export function groupCoordinatorConfig(config: BrokerConfigValues): GroupCoordinatorConfig {
  return {
    groupInitialRebalanceDelayMs: config['group.initial.rebalance.delay.ms'],
    groupMinSessionTimeoutMs: config['group.min.session.timeout.ms'],
    groupMaxSessionTimeoutMs: config['group.max.session.timeout.ms'],
    groupMaxSize: config['group.max.size'],
    offsetsRetentionMs: config['offsets.retention.minutes'] * MS_PER_MINUTE,
    offsetsRetentionCheckIntervalMs: config['offsets.retention.check.interval.ms'],
    offsetMetadataMaxBytes: config['offset.metadata.max.bytes'],
    offsetsLoadBufferSize: config['offsets.load.buffer.size'],
  };
}
