// TxnOffsetCommit: a transaction's consumer offsets, written to the group
// coordinator as pending until the transaction's marker commits (or drops)
// them. Partitions the coordinator answers with a retriable error are sent
// again until the deadline; any other error fails the call, typed and
// naming the partition and group.
import { TxnOffsetCommit, type RequestOf } from '@kstream/protocol';
import type { ClusterClient } from '../cluster/index.js';
import { KafkaRetriesExhaustedError, KafkaTimeoutError, type KafkaClientError } from '../errors/index.js';
import { callCoordinator } from '../consumer/group/coordinator-call.js';
import { transactionalError } from './transaction-errors.js';

/** One partition's next offset to consume, as the transaction commits it. */
export interface TransactionOffset {
  topic: string;
  partition: number;
  /** The offset of the next record to consume (the last processed + 1), as Kafka commits it. */
  offset: bigint;
  metadata?: string | null;
  /** The leader epoch of the last record consumed; -1 (default) when unknown. */
  leaderEpoch?: number;
}

/** Kafka's ConsumerGroupMetadata: with it (TxnOffsetCommit v3+), the coordinator fences a zombie member of an older generation. */
export interface TransactionGroupMetadata {
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface TxnOffsetCommitCall {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  groupId: string;
  offsets: readonly TransactionOffset[];
  member: TransactionGroupMetadata | null;
  deadline: number;
  /** For the timeout's message: "maxBlockMs (60000 ms)". */
  limit: string;
}

export async function txnOffsetCommit(cluster: ClusterClient, call: TxnOffsetCommitCall): Promise<void> {
  const { transactionalId, groupId } = call;
  let remaining = [...call.offsets];
  const description = `TxnOffsetCommit of ${remaining.length} offsets for group ${groupId} (transactional id ${transactionalId})`;
  try {
    await callCoordinator(cluster, groupId, description, call.deadline, async (coordinator) => {
      const response = await coordinator.request(TxnOffsetCommit, request(call, remaining));
      const failed = new Map<string, KafkaClientError>();
      for (const topic of response.topics) {
        for (const partition of topic.partitions) {
          if (partition.errorCode === 0) continue;
          const context = {
            api: `TxnOffsetCommit (transactional id ${transactionalId})`,
            broker: coordinator.label,
            topic: topic.name,
            partition: partition.partitionIndex,
            groupId,
          };
          failed.set(`${topic.name}\0${partition.partitionIndex}`, transactionalError(transactionalId, partition.errorCode, context));
        }
      }
      remaining = remaining.filter((offset) => failed.has(`${offset.topic}\0${offset.partition}`));
      const errors = [...failed.values()];
      // A partition that cannot succeed decides; the retriable ones are sent again otherwise.
      if (errors.length > 0) throw errors.find((error) => !error.retriable) ?? errors[0]!;
    });
  } catch (error) {
    if (!(error instanceof KafkaRetriesExhaustedError)) throw error;
    throw new KafkaTimeoutError(`${description} did not complete within ${call.limit}: ${(error.cause as Error).message}`, { cause: error.cause });
  }
}

function request(call: TxnOffsetCommitCall, offsets: readonly TransactionOffset[]): RequestOf<typeof TxnOffsetCommit> {
  const byTopic = new Map<string, RequestOf<typeof TxnOffsetCommit>['topics'][number]['partitions']>();
  for (const { topic, partition, offset, metadata, leaderEpoch } of offsets) {
    let partitions = byTopic.get(topic);
    if (partitions === undefined) byTopic.set(topic, (partitions = []));
    partitions.push({ partitionIndex: partition, committedOffset: offset, committedLeaderEpoch: leaderEpoch ?? -1, committedMetadata: metadata ?? '' });
  }
  return {
    transactionalId: call.transactionalId,
    groupId: call.groupId,
    producerId: call.producerId,
    producerEpoch: call.producerEpoch,
    generationId: call.member?.generationId ?? -1,
    memberId: call.member?.memberId ?? '',
    groupInstanceId: call.member?.groupInstanceId ?? null,
    topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
  };
}
