// ElectLeaders, decided as Kafka's ReplicationControlManager.electLeader
// does. preferred: the first replica leads if it is eligible and in the ISR
// (ELECTION_NOT_NEEDED when it leads already, PREFERRED_LEADER_NOT_AVAILABLE
// otherwise). unclean: a partition without a leader elects its first
// eligible ISR member, else any eligible replica (ELECTION_NOT_NEEDED when
// it has a leader, ELIGIBLE_LEADERS_NOT_AVAILABLE when no replica is
// eligible). With topicPartitions null every partition is elected and those
// that needed no election are left out of the results, as in Kafka.
import { ErrorCode } from '@kstream/protocol';
import { LoopTurns } from '@kstream/metadata';
import type { ElectionType, ElectLeadersPartitionResult, ElectLeadersRequest, ElectLeadersTopicResult, TopicMetadata } from '@kstream/metadata';
import { elected, electLeader, NO_LEADER, partitionChange, partitionName } from './partition-elections.js';
import type { ElectionContext, PartitionChange } from './partition-elections.js';

export interface ElectLeadersDecision {
  readonly changes: readonly PartitionChange[];
  readonly results: ElectLeadersTopicResult[];
}

/** Decides an ElectLeaders request, in turns as the other admin requests are: it may name every partition of the cluster. */
export async function electLeaders(context: ElectionContext, request: ElectLeadersRequest): Promise<ElectLeadersDecision> {
  const turns = new LoopTurns();
  const changes: PartitionChange[] = [];
  const results: ElectLeadersTopicResult[] = [];
  const all = request.topicPartitions === null;
  const requested = all ? [...context.state.topics.values()].map((t) => ({ topic: t.name, partitions: t.partitions.map((p) => p.partition) })) : request.topicPartitions!;
  for (const { topic: name, partitions } of requested) {
    const topic = context.state.topicByName(name);
    const partitionResults: ElectLeadersPartitionResult[] = [];
    for (const partition of new Set(partitions)) {
      if (turns.due) await turns.next();
      const outcome = electOne(context, topic, name, partition, request.electionType);
      if ('record' in outcome) {
        changes.push(outcome);
        partitionResults.push({ partition, errorCode: ErrorCode.NONE, errorMessage: null });
      } else if (!(all && outcome.errorCode === ErrorCode.ELECTION_NOT_NEEDED)) {
        partitionResults.push({ partition, ...outcome });
      }
    }
    if (partitionResults.length > 0 || !all) results.push({ topic: name, partitions: partitionResults });
  }
  return { changes, results };
}

type Outcome = PartitionChange | { readonly errorCode: number; readonly errorMessage: string };

function electOne(context: ElectionContext, topic: TopicMetadata | undefined, name: string, index: number, type: ElectionType): Outcome {
  const partition = topic?.partitions[index];
  const which = partitionName(name, index);
  if (topic === undefined || partition === undefined) {
    return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `No such partition as ${which}.` };
  }
  if (type === 'preferred') {
    const preferred = partition.replicas[0]!;
    if (partition.leader === preferred) {
      return { errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: `The preferred replica ${preferred} already leads ${which}.` };
    }
    if (!partition.isr.includes(preferred) || !context.isEligible(preferred)) {
      return {
        errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
        errorMessage: `The preferred replica ${preferred} of ${which} is not ${partition.isr.includes(preferred) ? 'alive' : 'in its ISR'}.`,
      };
    }
    return partitionChange(topic, partition, preferred, partition.isr)!;
  }
  if (partition.leader !== NO_LEADER) {
    return { errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: `${which} has a leader, broker ${partition.leader}.` };
  }
  const change = elected(topic, partition, electLeader(partition.replicas, partition.isr, context.isEligible, true));
  return (
    change ?? {
      errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
      errorMessage: `No replica of ${which} (${partition.replicas.join(', ')}) is alive to lead it.`,
    }
  );
}
