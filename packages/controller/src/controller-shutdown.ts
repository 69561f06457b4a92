// Controlled shutdown: a broker stopping on purpose hands its leaderships to
// other in-sync replicas before it goes, so producers see only retriable
// errors, and leaves every ISR it is not the last member of, so acks=all
// produces stop waiting for it. Never unclean: a partition with no other
// eligible ISR member keeps its leader until the broker is fenced.
import { LoopTurns } from '@kstream/metadata';
import { electLeader, isrWithout, partitionChange, partitionsOf } from './partition-elections.js';
import type { ElectionContext, PartitionChange } from './partition-elections.js';

export interface ControlledShutdownDecision {
  readonly changes: readonly PartitionChange[];
  /** Partitions `brokerId` still leads: no other eligible replica was in their ISR. */
  readonly remainingLeaderships: number;
}

/** Decides broker `brokerId`'s controlled shutdown; `context.isEligible` already says no for it. */
export async function controlledShutdown(context: ElectionContext, brokerId: number): Promise<ControlledShutdownDecision> {
  const changes: PartitionChange[] = [];
  let remainingLeaderships = 0;
  const turns = new LoopTurns();
  for (const [topic, partition] of partitionsOf(context.state, brokerId)) {
    if (turns.due) await turns.next();
    const isr = isrWithout(partition.isr, brokerId);
    if (partition.leader === brokerId) {
      const election = electLeader(partition.replicas, isr, context.isEligible, false);
      const change = election.leader === -1 ? undefined : partitionChange(topic, partition, election.leader, isr);
      if (change) changes.push(change);
      else remainingLeaderships++;
    } else {
      const change = partitionChange(topic, partition, partition.leader, isr);
      if (change) changes.push(change);
    }
  }
  return { changes, remainingLeaderships };
}
