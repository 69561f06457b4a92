import { resolveBrokerConfig, TOPIC_CONFIGS } from '@kstream/metadata';
import type { BrokerConfigProps, MetadataState, TopicMetadata } from '@kstream/metadata';
import type { ElectionContext } from './partition-elections.js';

/** A broker whose record is being written in the same batch as the elections: eligible already, or no longer. */
export interface EligibilityOverride {
  readonly registering?: number;
  readonly fencing?: number;
}

const UNCLEAN = 'unclean.leader.election.enable';

/**
 * The election context of the current state: a broker is eligible when it
 * is registered, unfenced and not in controlled shutdown (`shuttingDown`);
 * a topic allows unclean elections when its own unclean.leader.election.enable
 * says so, else the cluster's (dynamic default over the static config).
 */
export function electionContext(state: MetadataState, staticConfig: BrokerConfigProps, shuttingDown: ReadonlySet<number>, override: EligibilityOverride = {}): ElectionContext {
  const clusterUnclean = resolveBrokerConfig(state.configs('broker', ''), staticConfig)[UNCLEAN];
  const definition = TOPIC_CONFIGS.get(UNCLEAN)!;
  return {
    state,
    isEligible: (brokerId) => {
      if (brokerId === override.fencing) return false;
      if (shuttingDown.has(brokerId)) return false;
      return brokerId === override.registering || state.broker(brokerId)?.fenced === false;
    },
    uncleanEnabled: (topic: TopicMetadata) => {
      const own = state.configs('topic', topic.name).get(UNCLEAN);
      return own === undefined ? clusterUnclean : definition.parse(own) === true;
    },
  };
}
