// A group's committed offsets, read (OffsetFetch) and written from outside
// the group (OffsetCommit with generation -1 and no member id, which a
// coordinator accepts only while the group has no members), always at the
// group's coordinator.
import { ErrorCode, OffsetCommit, OffsetFetch } from '@kstream/protocol';
import type { RequestOf, ResponseOf } from '@kstream/protocol';
import type { TopicPartition } from '../consumer/assignors/assignor.js';
import type { BrokerConnection } from '../connection/index.js';
import { protocolError } from '../errors/index.js';
import { runBatch } from './admin-batch.js';
import type { ItemOutcome } from './admin-batch.js';
import { retrying, startCall } from './admin-call.js';
import type { AdminCall, AdminContext } from './admin-call.js';
import { AdminBatchError } from './admin-errors.js';
import type { AdminItemFailure } from './admin-errors.js';
import { partitionName } from './admin-leaders.js';
import { byTopic } from './admin-offsets.js';
import type { AdminCallOptions } from './admin-options.js';
import { coordinatorRetry } from './admin-retry-policy.js';
import { sendPerBroker } from './admin-routing.js';

export interface CommittedOffset extends TopicPartition {
  /** null when the group has committed nothing for the partition. */
  readonly offset: bigint | null;
  /** The leader epoch committed with the offset; null when none was (or before OffsetFetch v5). */
  readonly leaderEpoch: number | null;
  readonly metadata: string | null;
}

export interface FetchCommittedOptions extends AdminCallOptions {
  /** Wait for pending transactional commits rather than answering without them (OffsetFetch v7+). */
  requireStable?: boolean;
}

type OffsetFetchPartition = ResponseOf<typeof OffsetFetch>['topics'][number]['partitions'][number];

/**
 * The group's committed offsets for `partitions`, or for every partition it
 * has committed when absent. Partitions the broker answered with an error
 * make it an AdminBatchError whose `succeeded` holds the others.
 */
export async function fetchCommittedOffsets(
  context: AdminContext,
  groupId: string,
  partitions?: readonly TopicPartition[],
  options: FetchCommittedOptions = {},
): Promise<CommittedOffset[]> {
  const call = startCall(context, 'OffsetFetch', options);
  const topics = partitions === undefined ? null : byTopic(partitions).map(([name, tps]) => ({ name, partitionIndexes: tps.map((tp) => tp.partition) }));
  const answered = await atCoordinator(call, groupId, async (coordinator) => {
    const body: RequestOf<typeof OffsetFetch> = {
      groupId,
      topics,
      groups: [{ groupId, memberId: null, memberEpoch: -1, topics }],
      requireStable: options.requireStable ?? false,
    };
    const response = await coordinator.request(OffsetFetch, body);
    const group = coordinator.version(OffsetFetch) >= 8 ? response.groups.find((g) => g.groupId === groupId) : response;
    if (group === undefined)
      throw protocolError(ErrorCode.UNKNOWN_SERVER_ERROR, { api: call.api, broker: coordinator.label, groupId, serverMessage: 'the answer left out the group' });
    if (group.errorCode !== 0) throw protocolError(group.errorCode, { api: call.api, broker: coordinator.label, groupId });
    return { coordinator, topics: group.topics };
  });
  const found: CommittedOffset[] = [];
  const failures: AdminItemFailure[] = [];
  for (const topic of answered.topics) {
    for (const p of topic.partitions as readonly OffsetFetchPartition[]) {
      const tp = { topic: topic.name, partition: p.partitionIndex };
      if (p.errorCode !== 0) {
        const error = protocolError(p.errorCode, { api: call.api, broker: answered.coordinator.label, groupId, ...tp });
        failures.push({ item: partitionName(tp), error });
        continue;
      }
      found.push({
        ...tp,
        offset: p.committedOffset < 0n ? null : p.committedOffset,
        leaderEpoch: p.committedLeaderEpoch < 0 ? null : p.committedLeaderEpoch,
        metadata: p.metadata,
      });
    }
  }
  if (failures.length > 0) throw new AdminBatchError(call.api, failures, found);
  return found;
}

/** Commits `offsets` for the group from outside it; each partition succeeds or fails on its own. */
export async function commitOffsets(
  context: AdminContext,
  groupId: string,
  offsets: readonly (TopicPartition & { offset: bigint })[],
  options: AdminCallOptions = {},
): Promise<void> {
  const call = startCall(context, 'OffsetCommit', options);
  await runBatch<TopicPartition & { offset: bigint }, void>(call, {
    items: offsets,
    itemName: partitionName,
    retryItem: coordinatorRetry(context, () => groupId),
    attempt: (pending) =>
      sendPerBroker(
        pending,
        () => context.cluster.coordinator('group', groupId),
        async (coordinator, items) => {
          const body: RequestOf<typeof OffsetCommit> = {
            groupId,
            generationIdOrMemberEpoch: -1,
            memberId: '',
            groupInstanceId: null,
            retentionTimeMs: -1n,
            topics: byTopic(items).map(([name, tps]) => ({
              name,
              partitions: tps.map((tp) => ({
                partitionIndex: tp.partition,
                committedOffset: tp.offset,
                committedLeaderEpoch: -1,
                commitTimestamp: -1n,
                committedMetadata: '',
              })),
            })),
          };
          const response = await coordinator.request(OffsetCommit, body);
          return items.map((tp): ItemOutcome<void> | undefined => {
            const answer = response.topics.find((t) => t.name === tp.topic)?.partitions.find((p) => p.partitionIndex === tp.partition);
            if (answer === undefined) return undefined;
            if (answer.errorCode !== 0)
              return { error: protocolError(answer.errorCode, { api: call.api, broker: coordinator.label, groupId, topic: tp.topic, partition: tp.partition }) };
            return { value: undefined };
          });
        },
      ),
  });
}

/**
 * One request to the group's coordinator, tried again while the coordinator
 * moves, loads or cannot be reached (looked up afresh after each of those).
 */
export function atCoordinator<T>(call: AdminCall, groupId: string, send: (coordinator: BrokerConnection) => Promise<T>): Promise<T> {
  const lookAgain = coordinatorRetry(call.context, () => groupId);
  return retrying(
    call,
    async () => send(await call.context.cluster.coordinator('group', groupId)),
    (error) => void lookAgain(groupId, error),
  );
}
