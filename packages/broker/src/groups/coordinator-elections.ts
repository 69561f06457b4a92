// How a coordinator learns which partitions of its topic this broker leads
// (Kafka's onElection / onResignation from the metadata delta): the group
// coordinator follows __consumer_offsets, the transaction coordinator
// __transaction_state. A listener of the hosted partitions' roles, nothing more.
import type { ReplicaManager } from '../partitions/replica-manager.js';

/** The part of a coordinator that follows leadership. */
export interface CoordinatorElections {
  onElection(partition: number, leaderEpoch: number): void;
  onResignation(partition: number, leaderEpoch?: number): void;
}

/**
 * Tells `coordinator` of each partition of `topic` this broker starts
 * leading (once it takes appends in that epoch), follows in a new epoch, or
 * stops hosting (any epoch). Returns the unsubscribe.
 */
export function followCoordinatorElections(partitions: ReplicaManager, topic: string, coordinator: CoordinatorElections): () => void {
  return partitions.onRoleChanged((changed, partition, role) => {
    if (changed !== topic) return;
    switch (role.kind) {
      case 'leader':
        coordinator.onElection(partition, role.leaderEpoch);
        return;
      case 'follower':
        coordinator.onResignation(partition, role.leaderEpoch);
        return;
      case 'none':
        coordinator.onResignation(partition);
        return;
      default:
        role satisfies never;
    }
  });
}

/**
 * Resigns every partition of `topic` this broker leads: its session with
 * the controller lapsed, so another broker may coordinate them by now.
 */
export function resignLedCoordinatorPartitions(partitions: ReplicaManager, topic: string, coordinator: CoordinatorElections): void {
  for (const partition of ledPartitions(partitions, topic)) coordinator.onResignation(partition.partitionIndex);
}

/**
 * Elects again every partition of `topic` this broker leads by its metadata
 * (the session is back; a partition already served is left as it is).
 */
export function electLedCoordinatorPartitions(partitions: ReplicaManager, topic: string, coordinator: CoordinatorElections): void {
  for (const partition of ledPartitions(partitions, topic)) coordinator.onElection(partition.partitionIndex, partition.leaderEpoch);
}

function ledPartitions(partitions: ReplicaManager, topic: string): { partitionIndex: number; leaderEpoch: number }[] {
  return partitions
    .hostedPartitions()
    .filter((p) => p.topic === topic && p.isLeader)
    .map((p) => ({ partitionIndex: p.topicPartition.partition, leaderEpoch: p.leaderEpoch }));
}
