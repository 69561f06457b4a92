// OffsetCommit and OffsetFetch for a group, at the highest version both
// sides speak. A Kafka error code, the group's or a partition's, is thrown as
// KafkaProtocolError naming the group, the coordinator and the partition.
import { OffsetCommit, OffsetFetch, type RequestOf } from '@kstream/protocol';
import type { BrokerConnection } from '../../connection/index.js';
import { KafkaClientError, throwIfError } from '../../errors/index.js';
import { type TopicPartition, partitionKey } from '../assignors/assignor.js';
import { groupByTopic } from './consumer-protocol.js';

export interface OffsetToCommit extends TopicPartition {
  offset: bigint;
  leaderEpoch?: number;
  metadata?: string;
}

export interface CommittedOffset {
  /** null: the group has no committed offset for the partition. */
  offset: bigint | null;
  leaderEpoch: number;
}

/** Who commits: a member commits in its generation; a consumer without membership uses generation -1 and no member id. */
export interface Committer {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export async function commitOffsets(coordinator: BrokerConnection, committer: Committer, offsets: readonly OffsetToCommit[]): Promise<void> {
  const topics = new Map<string, RequestOf<typeof OffsetCommit>['topics'][number]>();
  for (const { topic, partition, offset, leaderEpoch, metadata } of offsets) {
    const entry = topics.get(topic) ?? { name: topic, partitions: [] };
    entry.partitions.push({
      partitionIndex: partition,
      committedOffset: offset,
      committedLeaderEpoch: leaderEpoch ?? -1,
      commitTimestamp: -1n,
      committedMetadata: metadata ?? '',
    });
    topics.set(topic, entry);
  }
  const response = await coordinator.request(OffsetCommit, {
    groupId: committer.groupId,
    generationIdOrMemberEpoch: committer.generationId,
    memberId: committer.memberId,
    groupInstanceId: committer.groupInstanceId,
    retentionTimeMs: -1n,
    topics: [...topics.values()],
  });
  for (const topic of response.topics) {
    for (const partition of topic.partitions) {
      throwIfError(partition.errorCode, { api: 'OffsetCommit', broker: coordinator.label, groupId: committer.groupId, topic: topic.name, partition: partition.partitionIndex });
    }
  }
}

/** Keyed by `${topic}-${partition}`; every asked partition is present. */
export async function fetchOffsets(
  coordinator: BrokerConnection,
  groupId: string,
  partitions: readonly TopicPartition[],
  requireStable: boolean,
): Promise<Map<string, CommittedOffset>> {
  const version = coordinator.version(OffsetFetch);
  const topics = groupByTopic(partitions).map(({ topic, partitions: partitionIndexes }) => ({ name: topic, partitionIndexes }));
  const response = await coordinator.request(
    OffsetFetch,
    {
      groupId,
      topics,
      groups: [{ groupId, memberId: null, memberEpoch: -1, topics }],
      requireStable,
    },
    { version },
  );
  const context = { api: 'OffsetFetch', broker: coordinator.label, groupId };
  const group = version >= 8 ? response.groups.find((g) => g.groupId === groupId) : { errorCode: response.errorCode, topics: response.topics };
  if (group === undefined) throw new KafkaClientError(`OffsetFetch from ${coordinator.label} answered without group ${groupId}`, { retriable: true });
  throwIfError(group.errorCode, context);
  const committed = new Map<string, CommittedOffset>();
  for (const topic of group.topics) {
    for (const partition of topic.partitions) {
      throwIfError(partition.errorCode, { ...context, topic: topic.name, partition: partition.partitionIndex });
      committed.set(partitionKey({ topic: topic.name, partition: partition.partitionIndex }), {
        offset: partition.committedOffset < 0n ? null : partition.committedOffset,
        leaderEpoch: partition.committedLeaderEpoch,
      });
    }
  }
  for (const partition of partitions) {
    if (!committed.has(partitionKey(partition))) committed.set(partitionKey(partition), { offset: null, leaderEpoch: -1 });
  }
  return committed;
}
