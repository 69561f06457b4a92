import { ErrorCode, type OffsetDelete, type RequestOf, type ResponseOf } from '@kstream/protocol';
import type { CoordinatorRecord } from '../records/index.js';
import type { ClassicGroup } from './classic-group.js';
import type { CoordinatorShard } from './coordinator-shard.js';
import { coordinatorWriteError } from './write-errors.js';

// OffsetDelete v0
// - The group must exist (GROUP_ID_NOT_FOUND) and be Empty, or be a consumer
//   group: then a topic some member subscribes to keeps its offsets
//   (GROUP_SUBSCRIBED_TO_TOPIC for each of its partitions); any other
//   non-empty group answers NON_EMPTY_GROUP.
// - Each partition with a committed offset, or an open transaction's, gets a
//   tombstone, all in one batch; both disappear once it is written (Kafka's).

type Request = RequestOf<typeof OffsetDelete>;
type Response = ResponseOf<typeof OffsetDelete>;

export function offsetDeleteError(errorCode: number): Response {
  return { errorCode, throttleTimeMs: 0, topics: [] };
}

export async function deleteOffsets(shard: CoordinatorShard, request: Request): Promise<Response> {
  const groupId = request.groupId;
  const group = shard.groups.get(groupId);
  if (group === undefined || group.state === 'Dead') return offsetDeleteError(ErrorCode.GROUP_ID_NOT_FOUND);
  if (group.state !== 'Empty' && group.protocolType !== 'consumer') return offsetDeleteError(ErrorCode.NON_EMPTY_GROUP);

  const tombstones: CoordinatorRecord[] = [];
  const topics = request.topics.map((topic) => {
    const subscribed = isSubscribed(group, topic.name);
    return {
      name: topic.name,
      partitions: topic.partitions.map(({ partitionIndex }) => {
        if (subscribed) return { partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
        if (shard.offsets.get(groupId, topic.name, partitionIndex) !== undefined || shard.txnOffsets.has(groupId, topic.name, partitionIndex)) {
          tombstones.push({ type: 'offset', key: { group: groupId, topic: topic.name, partition: partitionIndex }, value: null });
        }
        return { partitionIndex, errorCode: ErrorCode.NONE };
      }),
    };
  });
  if (tombstones.length > 0) {
    const written = await shard.write(tombstones, () => {
      for (const record of tombstones) if (record.type === 'offset') shard.deleteOffset(groupId, record.key.topic, record.key.partition);
    });
    if (written !== ErrorCode.NONE) return offsetDeleteError(coordinatorWriteError(written, false));
  }
  return { errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics };
}

/** Kafka's isSubscribedToTopic: an Empty group subscribes to nothing; a consumer group whose subscriptions cannot be read is taken as subscribed. */
function isSubscribed(group: ClassicGroup, topic: string): boolean {
  if (group.state === 'Empty') return false;
  return group.isSubscribedTo(topic) ?? group.protocolType === 'consumer';
}
