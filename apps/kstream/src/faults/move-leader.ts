// Moves a partition's leadership to a chosen replica, as the controller
// would after a preferred-replica election: the replica order is changed
// (a reassignment to the same replicas, `toBroker` first) and the
// preferred leader elected. Clients of the old leader get
// NOT_LEADER_OR_FOLLOWER and follow the metadata to the new one.
import type { Controller } from '@kstream/controller';
import { ErrorCode, errorInfo } from '@kstream/protocol';

/** How long the new leader may take to catch up into the ISR before the election. */
const IN_SYNC_WAIT_MS = 10_000;

export async function moveLeader(controller: Controller, topic: string, partition: number, toBroker: number): Promise<void> {
  const name = `${topic}-${partition}`;
  const state = () => {
    const found = controller.metadata.partition(topic, partition);
    if (found === undefined) throw new Error(`moveLeader: no partition ${name}`);
    return found;
  };
  const current = state();
  if (current.leader === toBroker) return;
  if (!current.replicas.includes(toBroker)) {
    throw new Error(`moveLeader: broker ${toBroker} holds no replica of ${name} (replicas ${current.replicas.join(', ')}): reassign the partition to it first`);
  }
  if (current.replicas[0] !== toBroker) {
    const replicas = [toBroker, ...current.replicas.filter((id) => id !== toBroker)];
    const reply = await controller.handle({ type: 'AlterPartitionReassignments', topics: [{ name: topic, partitions: [{ partition, replicas }] }] });
    const result = reply.topics[0]?.partitions[0];
    if (result !== undefined && result.errorCode !== ErrorCode.NONE) {
      throw new Error(`moveLeader: reordering ${name}'s replicas to ${replicas.join(', ')} failed: ${errorInfo(result.errorCode).name} ${result.errorMessage ?? ''}`);
    }
  }
  const deadline = Date.now() + IN_SYNC_WAIT_MS;
  while (!state().isr.includes(toBroker)) {
    if (Date.now() > deadline) throw new Error(`moveLeader: broker ${toBroker} did not join ${name}'s ISR (${state().isr.join(', ')}) within ${IN_SYNC_WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const reply = await controller.handle({ type: 'ElectLeaders', electionType: 'preferred', topicPartitions: [{ topic, partitions: [partition] }] });
  const result = reply.results[0]?.partitions[0];
  const leader = state().leader;
  if (leader !== toBroker) {
    const why = result === undefined ? '' : `: ${errorInfo(result.errorCode).name} ${result.errorMessage ?? ''}`;
    throw new Error(`moveLeader: ${name} is led by broker ${leader}, not ${toBroker}, after the election${why}`);
  }
}
