import { ErrorCode, type OffsetFetch, type RequestOf, type ResponseOf } from '@kstream/protocol';
import type { Routed } from './coordinator-partitions.js';
import type { CoordinatorShard } from './coordinator-shard.js';

// OffsetFetch v0–9
// - Listed partitions, or every partition the group committed (null topics,
//   v2+); a partition without a commit answers offset -1, metadata "", NONE,
//   and so does every partition of a group that does not exist.
// - Several groups per request from v8, each with its own error code; the
//   group-level error is top-level from v2 and per partition before.
// - v9's memberId/memberEpoch concern KIP-848 consumer groups; a classic
//   group ignores them, as Kafka's does.
// - requireStable (v7+): a partition with offsets of an open transaction
//   (TxnOffsetCommit, marker not yet written) answers UNSTABLE_OFFSET_COMMIT,
//   offset -1, and the client retries; in the all-partitions form so does each
//   committed partition that has some, as Kafka's. Without it the committed
//   offset is returned as is.

type Request = RequestOf<typeof OffsetFetch>;
type Response = ResponseOf<typeof OffsetFetch>;
type ResponseGroup = Response['groups'][number];
type ResponseTopic = ResponseGroup['topics'][number];
type ResponsePartition = ResponseTopic['partitions'][number];

interface RequestedTopic {
  readonly name: string;
  readonly partitionIndexes: readonly number[];
}

export function fetchOffsets(request: Request, apiVersion: number, route: (groupId: string) => Routed): Response {
  const requireStable = apiVersion >= 7 && request.requireStable;
  if (apiVersion >= 8) {
    return {
      throttleTimeMs: 0,
      topics: [],
      errorCode: ErrorCode.NONE,
      groups: request.groups.map((group) => fetchGroup(group.groupId, group.topics, requireStable, route)),
    };
  }
  const answer = fetchGroup(request.groupId, request.topics, requireStable, route);
  if (answer.errorCode !== ErrorCode.NONE && apiVersion < 2) {
    // No top-level error before v2: every listed partition carries it.
    const topics = (request.topics ?? []).map((topic) => ({
      name: topic.name,
      partitions: topic.partitionIndexes.map((partition) => noOffset(partition, answer.errorCode)),
    }));
    return { throttleTimeMs: 0, topics, errorCode: ErrorCode.NONE, groups: [] };
  }
  return { throttleTimeMs: 0, topics: answer.topics, errorCode: answer.errorCode, groups: [] };
}

function fetchGroup(groupId: string, topics: readonly RequestedTopic[] | null, requireStable: boolean, route: (groupId: string) => Routed): ResponseGroup {
  const routed = route(groupId);
  if (!('shard' in routed)) return { groupId, topics: [], errorCode: routed.errorCode };
  const shard = routed.shard;
  const state = shard.groups.get(groupId)?.state;
  const known = state !== undefined && state !== 'Dead';
  if (topics === null) return { groupId, topics: known ? allOffsets(shard, groupId, requireStable) : [], errorCode: ErrorCode.NONE };
  return {
    groupId,
    topics: topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitionIndexes.map((partition) => offsetOf(shard, groupId, topic.name, partition, { known, requireStable })),
    })),
    errorCode: ErrorCode.NONE,
  };
}

function allOffsets(shard: CoordinatorShard, groupId: string, requireStable: boolean): ResponseTopic[] {
  const byTopic = new Map<string, ResponsePartition[]>();
  for (const [topic, partition] of shard.offsets.entries(groupId)) {
    let partitions = byTopic.get(topic);
    if (partitions === undefined) byTopic.set(topic, (partitions = []));
    partitions.push(offsetOf(shard, groupId, topic, partition, { known: true, requireStable }));
  }
  return [...byTopic].map(([name, partitions]) => ({ name, partitions }));
}

/**
 * The partition's answer; `known` false: the group is Dead or absent, without
 * committed offsets — but an open transaction may still hold some for it.
 */
function offsetOf(
  shard: CoordinatorShard,
  groupId: string,
  topic: string,
  partition: number,
  { known, requireStable }: { readonly known: boolean; readonly requireStable: boolean },
): ResponsePartition {
  if (requireStable && shard.txnOffsets.has(groupId, topic, partition)) return noOffset(partition, ErrorCode.UNSTABLE_OFFSET_COMMIT);
  const committed = known ? shard.offsets.get(groupId, topic, partition) : undefined;
  if (committed === undefined) return noOffset(partition, ErrorCode.NONE);
  return {
    partitionIndex: partition,
    committedOffset: committed.offset,
    committedLeaderEpoch: committed.leaderEpoch,
    metadata: committed.metadata,
    errorCode: ErrorCode.NONE,
  };
}

function noOffset(partition: number, errorCode: number): ResponsePartition {
  return { partitionIndex: partition, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode };
}
