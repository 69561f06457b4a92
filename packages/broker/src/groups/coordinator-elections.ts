// How the group coordinator learns which __consumer_offsets partitions this
// broker leads (Kafka's onElection / onResignation from the metadata delta):
// a listener of the hosted partitions' roles, nothing more.
import { GROUP_METADATA_TOPIC } from '@kstream/metadata';
import type { ReplicaManager } from '../partitions/replica-manager.js';

/** The part of the GroupCoordinator that follows leadership. */
export interface CoordinatorElections {
  onElection(partition: number, leaderEpoch: number): void;
  onResignation(partition: number, leaderEpoch?: number): void;
}

/**
 * Tells `coordinator` of each __consumer_offsets partition this broker
 * starts leading (once it takes appends in that epoch), follows in a new
 * epoch, or stops hosting (any epoch). Returns the unsubscribe.
 */
export function followCoordinatorElections(partitions: ReplicaManager, coordinator: CoordinatorElections): () => void {
  return partitions.onRoleChanged((topic, partition, role) => {
    if (topic !== GROUP_METADATA_TOPIC) return;
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
 * Resigns every __consumer_offsets partition this broker leads: its session
 * with the controller lapsed, so another broker may coordinate them by now.
 */
export function resignLedCoordinatorPartitions(partitions: ReplicaManager, coordinator: CoordinatorElections): void {
  for (const partition of ledOffsetsPartitions(partitions)) coordinator.onResignation(partition.partitionIndex);
}

/**
 * Elects again every __consumer_offsets partition this broker leads by its
 * metadata (the session is back; a partition already served is left as it is).
 */
export function electLedCoordinatorPartitions(partitions: ReplicaManager, coordinator: CoordinatorElections): void {
  for (const partition of ledOffsetsPartitions(partitions)) coordinator.onElection(partition.partitionIndex, partition.leaderEpoch);
}

function ledOffsetsPartitions(partitions: ReplicaManager): { partitionIndex: number; leaderEpoch: number }[] {
  return partitions
    .hostedPartitions()
    .filter((p) => p.topic === GROUP_METADATA_TOPIC && p.isLeader)
    .map((p) => ({ partitionIndex: p.topicPartition.partition, leaderEpoch: p.leaderEpoch }));
}
