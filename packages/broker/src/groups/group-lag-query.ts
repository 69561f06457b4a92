// The node control API's view of a group's lag (issue 15: the CLI and
// metrics), answered by the broker that coordinates the group. A group's
// partitions may be led by other brokers: the node asks them for their end
// offsets (ledEndOffsets) and hands those to the coordinator's broker.
import type { GroupLag } from '@kstream/group-coordinator';
import { partitionKey } from '@kstream/replication';
import type { BrokerServices } from '../handlers/handler.js';
import type { ReplicaManager } from '../partitions/replica-manager.js';

/** A partition's end offset as its leader knows it. */
export interface PartitionEndOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

/**
 * The lag of `groupId` if this broker coordinates it (undefined if not, or
 * if it has no such group). A partition's end is its high watermark — what
 * its consumers can read, as ListOffsets' latest offset and Kafka's
 * kafka-consumer-groups LOG-END-OFFSET — from this broker when it leads the
 * partition, else from `known`; without either its lag is unknown.
 */
export function coordinatedGroupLag(broker: Pick<BrokerServices, 'groups' | 'partitions'>, groupId: string, known: readonly PartitionEndOffset[]): GroupLag | undefined {
  const given = new Map(known.map((end) => [partitionKey(end.topic, end.partition), end.offset]));
  return broker.groups.groupLag(groupId, (topic, partition) => ledEnd(broker.partitions, topic, partition) ?? given.get(partitionKey(topic, partition)));
}

/** The end offsets (high watermarks) of those of `partitions` this broker leads. */
export function ledEndOffsets(replicas: ReplicaManager, partitions: readonly { readonly topic: string; readonly partition: number }[]): PartitionEndOffset[] {
  return partitions.flatMap(({ topic, partition }) => {
    const offset = ledEnd(replicas, topic, partition);
    return offset === undefined ? [] : [{ topic, partition, offset }];
  });
}

function ledEnd(replicas: ReplicaManager, topic: string, partition: number): bigint | undefined {
  const hosted = replicas.partition(topic, partition);
  return hosted?.isLeader === true ? hosted.highWatermark : undefined;
}
