import { ErrorCode, type AddPartitionsToTxn, type RequestOf, type ResponseOf } from '@kstream/protocol';
import { fencedForVersion, PRODUCER_FENCED_SINCE } from './api-errors.js';
import type { TopicPartitionRef } from './coordinator-types.js';
import { addPartitionsToTransaction, verifyPartitionsInTransaction, type CoordinatorContext } from './txn/index.js';

// AddPartitionsToTxn v0–4
// - v0–3: one transaction (the client's); v4+: `transactions[]`, batched
//   (brokers verifying produce, KIP-890), each answered on its own.
// - A partition metadata does not know: UNKNOWN_TOPIC_OR_PARTITION, and the
//   transaction's other partitions OPERATION_NOT_ATTEMPTED, nothing added.
// - verifyOnly: whether each partition is already in the transaction; nothing added.
// - A transaction-level error is every partition's error.

type Request = RequestOf<typeof AddPartitionsToTxn>;
type Response = ResponseOf<typeof AddPartitionsToTxn>;
type TopicResult = Response['resultsByTopicV3AndBelow'][number];
type RequestTopic = Request['v3AndBelowTopics'][number];

function partitionsOf(topics: readonly RequestTopic[]): TopicPartitionRef[] {
  const seen = new Set<string>();
  const partitions: TopicPartitionRef[] = [];
  for (const { name, partitions: ids } of topics) {
    for (const partition of ids) {
      if (seen.has(`${name}:${partition}`)) continue;
      seen.add(`${name}:${partition}`);
      partitions.push({ topic: name, partition });
    }
  }
  return partitions;
}

function topicResults(partitions: readonly TopicPartitionRef[], errorOf: (partition: TopicPartitionRef, index: number) => number): TopicResult[] {
  const byTopic = new Map<string, TopicResult>();
  partitions.forEach((partition, index) => {
    let topic = byTopic.get(partition.topic);
    if (topic === undefined) byTopic.set(partition.topic, (topic = { name: partition.topic, resultsByPartition: [] }));
    topic.resultsByPartition.push({ partitionIndex: partition.partition, partitionErrorCode: errorOf(partition, index) });
  });
  return [...byTopic.values()];
}

interface OneTransaction {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly verifyOnly: boolean;
  readonly topics: readonly RequestTopic[];
}

async function answerOne(ctx: CoordinatorContext, partitionExists: (topic: string, partition: number) => boolean, txn: OneTransaction, apiVersion: number): Promise<TopicResult[]> {
  const partitions = partitionsOf(txn.topics);
  const unknown = partitions.filter((partition) => !partitionExists(partition.topic, partition.partition));
  if (unknown.length > 0) {
    return topicResults(partitions, (partition) =>
      partitionExists(partition.topic, partition.partition) ? ErrorCode.OPERATION_NOT_ATTEMPTED : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
  }
  if (txn.verifyOnly) {
    const errors = verifyPartitionsInTransaction(ctx, txn.transactionalId, txn.producerId, txn.producerEpoch, partitions);
    return topicResults(partitions, (_, index) => errors[index]!);
  }
  const error = await addPartitionsToTransaction(ctx, txn.transactionalId, txn.producerId, txn.producerEpoch, partitions);
  const mapped = fencedForVersion(error, apiVersion, PRODUCER_FENCED_SINCE.AddPartitionsToTxn);
  return topicResults(partitions, () => mapped);
}

export async function handleAddPartitionsToTxn(
  ctx: CoordinatorContext,
  partitionExists: (topic: string, partition: number) => boolean,
  request: Request,
  apiVersion: number,
): Promise<Response> {
  if (apiVersion < 4) {
    const txn: OneTransaction = {
      transactionalId: request.v3AndBelowTransactionalId,
      producerId: request.v3AndBelowProducerId,
      producerEpoch: request.v3AndBelowProducerEpoch,
      verifyOnly: false,
      topics: request.v3AndBelowTopics,
    };
    const results = await answerOne(ctx, partitionExists, txn, apiVersion);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction: [], resultsByTopicV3AndBelow: results };
  }
  const resultsByTransaction = await Promise.all(
    request.transactions.map(async (txn) => ({
      transactionalId: txn.transactionalId,
      topicResults: await answerOne(ctx, partitionExists, txn, apiVersion),
    })),
  );
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction, resultsByTopicV3AndBelow: [] };
}
