import { ErrorCode, type RequestOf, type ResponseOf, type TxnOffsetCommit } from '@kstream/protocol';
import type { CoordinatorRecord, OffsetAndMetadata } from '../records/index.js';
import { ClassicGroup } from './classic-group.js';
import type { CoordinatorShard } from './coordinator-shard.js';
import type { GroupCoordinatorConfig } from './coordinator-types.js';
import { validateMember } from './offset-commit.js';
import { coordinatorWriteError } from './write-errors.js';

// TxnOffsetCommit v0–4 (KIP-98; KIP-447 adds the consumer's group metadata in v3)
// - Routed as OffsetCommit: NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS.
// - A member's commit (v3+: generation, member id, group.instance.id) is checked
//   as OffsetCommit's (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, FENCED_INSTANCE_ID)
//   but in any state of the rebalance; generation -1 without a member (v0–2, a
//   producer not given the consumer's metadata) is accepted whatever the group's
//   state, and creates an Empty group without protocol type when there is none.
//   A generation for a group that does not exist is ILLEGAL_GENERATION.
// - Per partition: UNKNOWN_TOPIC_OR_PARTITION for a topic the cluster does not
//   have, OFFSET_METADATA_TOO_LARGE over offset.metadata.max.bytes.
// - The accepted offsets go in one transactional batch of the producer (its id
//   and epoch, base sequence 0). Once written (acks=all) they are pending under
//   the producer id: OffsetFetch does not return them (requireStable answers
//   UNSTABLE_OFFSET_COMMIT for their partitions) until the transaction's marker
//   commits them or drops them.
// - The log's refusal of the producer (INVALID_PRODUCER_EPOCH, ...) is answered as is.

type Request = RequestOf<typeof TxnOffsetCommit>;
type Response = ResponseOf<typeof TxnOffsetCommit>;

export interface TxnOffsetCommitDeps {
  readonly config: () => GroupCoordinatorConfig;
  readonly clock: () => number;
  /** Whether the cluster has the topic; unset: every topic is known. */
  readonly topicExists?: (topic: string) => boolean;
}

/** The response giving every partition of `request` the same error. */
export function txnOffsetCommitError(request: Request, errorCode: number): Response {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => ({ partitionIndex: partition.partitionIndex, errorCode })),
    })),
  };
}

export async function commitTxnOffsets(shard: CoordinatorShard, request: Request, deps: TxnOffsetCommitDeps): Promise<Response> {
  const { groupId, producerId, producerEpoch } = request;
  const groupError = validateTxnOffsetCommit(shard.groups.get(groupId), request);
  if (groupError !== ErrorCode.NONE) return txnOffsetCommitError(request, groupError);

  const now = BigInt(deps.clock());
  const maxMetadata = deps.config().offsetMetadataMaxBytes;
  const commits: { readonly topic: string; readonly partition: number; readonly value: OffsetAndMetadata }[] = [];
  const response = txnOffsetCommitError(request, ErrorCode.NONE);
  request.topics.forEach((topic, t) => {
    const known = deps.topicExists?.(topic.name) ?? true;
    topic.partitions.forEach((partition, p) => {
      const metadata = partition.committedMetadata ?? '';
      if (!known || metadata.length > maxMetadata) {
        response.topics[t]!.partitions[p]!.errorCode = known ? ErrorCode.OFFSET_METADATA_TOO_LARGE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        return;
      }
      const value: OffsetAndMetadata = {
        offset: partition.committedOffset,
        leaderEpoch: partition.committedLeaderEpoch,
        metadata,
        commitTimestamp: now,
        expireTimestamp: -1n,
      };
      commits.push({ topic: topic.name, partition: partition.partitionIndex, value });
    });
  });
  if (commits.length === 0) return response;

  const records = commits.map(({ topic, partition, value }): CoordinatorRecord => ({ type: 'offset', key: { group: groupId, topic, partition }, value }));
  const written = await shard.write(
    records,
    (firstRecordOffset) => {
      if (!shard.groups.has(groupId)) shard.groups.set(groupId, new ClassicGroup(groupId, deps.clock()));
      commits.forEach(({ topic, partition, value }, i) => {
        shard.txnOffsets.add(producerId, groupId, topic, partition, { ...value, recordOffset: firstRecordOffset + BigInt(i) });
      });
    },
    { producerId, producerEpoch },
  );
  if (written === ErrorCode.NONE) return response;
  const errorCode = coordinatorWriteError(written, true);
  for (const topic of response.topics) {
    for (const partition of topic.partitions) if (partition.errorCode === ErrorCode.NONE) partition.errorCode = errorCode;
  }
  return response;
}

/**
 * Ends `producerId`'s transaction on the shard (its marker is in the log): on
 * commit each of its offsets replaces the committed one unless that one's
 * record is later in the log (a group without a record is Empty, as a load
 * makes it); on abort they are dropped.
 */
export function completeTxnOffsets(shard: CoordinatorShard, producerId: bigint, commit: boolean, now: number): void {
  const pending = shard.txnOffsets.take(producerId);
  if (!commit) return;
  for (const [group, topic, partition, value] of pending) {
    const committed = shard.offsets.get(group, topic, partition);
    if (committed !== undefined && committed.recordOffset > value.recordOffset) continue;
    shard.offsets.set(group, topic, partition, value);
    if (!shard.groups.has(group)) shard.groups.set(group, new ClassicGroup(group, now));
  }
}

/** Kafka's checks of a transactional commit against its group (ClassicGroup.validateOffsetCommit, isTransactional); NONE when it may commit. */
function validateTxnOffsetCommit(group: ClassicGroup | undefined, request: Request): number {
  const { generationId, memberId, groupInstanceId } = request;
  if (group === undefined) return generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
  if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (generationId < 0 && group.state === 'Empty') return ErrorCode.NONE;
  if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
    const memberError = validateMember(group, memberId, groupInstanceId);
    if (memberError !== ErrorCode.NONE) return memberError;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  }
  return ErrorCode.NONE;
}
