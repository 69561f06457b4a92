// The node control API's groupLag (issue 15: the CLI and metrics). The
// broker that coordinates the group answers with its committed offsets; the
// end offsets of partitions it does not lead come from their leaders first.
import type { PartitionEndOffset } from '@kstream/broker';
import { GROUP_METADATA_TOPIC } from '@kstream/metadata';
import { coordinatorPartition, type GroupLag } from '@kstream/group-coordinator';
import type { MetadataState } from '@kstream/metadata';
import type { BrokerThread } from './broker-thread.js';

/** What the node asks: the controller's metadata and its brokers' threads. */
export interface GroupLagSources {
  readonly metadata: MetadataState;
  readonly broker: (brokerId: number) => Pick<BrokerThread, 'groupLag' | 'endOffsets'> | undefined;
}

/**
 * The committed offsets of `groupId` with each partition's lag (its high
 * watermark minus the committed offset), or null when no group of that id
 * exists. Rejects when the group's coordinator — the leader of its
 * __consumer_offsets partition — is not available. A partition whose leader
 * is down or does not answer keeps an unknown lag (logEndOffset and lag
 * undefined) rather than failing the whole answer.
 */
export async function nodeGroupLag({ metadata, broker }: GroupLagSources, groupId: string): Promise<GroupLag | null> {
  const offsetsTopic = metadata.topicByName(GROUP_METADATA_TOPIC);
  if (offsetsTopic === undefined) return null;
  const partition = coordinatorPartition(groupId, offsetsTopic.partitions.length);
  const leader = offsetsTopic.partitions[partition]?.leader ?? -1;
  const coordinator = leader < 0 ? undefined : broker(leader);
  if (coordinator === undefined) {
    throw new Error(`the coordinator of group ${JSON.stringify(groupId)} (the leader of ${GROUP_METADATA_TOPIC}-${partition}) is not available`);
  }
  const lag = await coordinator.groupLag(groupId, []);
  const byLeader = new Map<number, { topic: string; partition: number }[]>();
  for (const p of lag?.partitions ?? []) {
    const partitionLeader = metadata.partition(p.topic, p.partition)?.leader ?? -1;
    if (p.logEndOffset !== undefined || partitionLeader < 0 || partitionLeader === leader) continue;
    const asked = byLeader.get(partitionLeader) ?? [];
    asked.push({ topic: p.topic, partition: p.partition });
    byLeader.set(partitionLeader, asked);
  }
  if (byLeader.size === 0) return lag;
  const answers = await Promise.all(
    [...byLeader].map(
      ([id, partitions]): Promise<PartitionEndOffset[]> =>
        broker(id)
          ?.endOffsets(partitions)
          .catch(() => []) ?? Promise.resolve([]),
    ),
  );
  const endOffsets = answers.flat();
  return endOffsets.length === 0 ? lag : coordinator.groupLag(groupId, endOffsets);
}
