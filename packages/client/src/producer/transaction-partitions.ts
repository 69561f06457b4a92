// AddPartitionsToTxn as a producer sends it (v0–3: one transaction per
// request; v4+ is the brokers' batched form): the partitions a drain found
// new to the transaction, in one request, and what the coordinator said of
// each.
import { AddPartitionsToTxn, ErrorCode, type RequestOf } from '@kstream/protocol';
import type { BrokerConnection } from '../connection/index.js';
import type { KafkaClientError } from '../errors/index.js';
import type { PartitionQueue } from './record-accumulator.js';
import { transactionalError } from './transaction-errors.js';

/** The highest version a client sends: v4+ carries several transactions and is for brokers only (KIP-890). */
const CLIENT_MAX_VERSION = 3;

export interface TxnIdentity {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
}

export interface AddPartitionsOutcome {
  /** Partitions now in the transaction. */
  added: PartitionQueue[];
  /** Per partition not added: why (OPERATION_NOT_ATTEMPTED ones are left out: another partition's error decides). */
  errors: KafkaClientError[];
  /** Whether every failure was CONCURRENT_TRANSACTIONS: the previous transaction's markers are still being written. */
  concurrentTransactions: boolean;
}

export async function addPartitionsToTxn(coordinator: BrokerConnection, identity: TxnIdentity, queues: readonly PartitionQueue[]): Promise<AddPartitionsOutcome> {
  const version = Math.min(CLIENT_MAX_VERSION, coordinator.version(AddPartitionsToTxn));
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of queues) {
    let partitions = byTopic.get(topic);
    if (partitions === undefined) byTopic.set(topic, (partitions = []));
    partitions.push(partition);
  }
  const request: RequestOf<typeof AddPartitionsToTxn> = {
    transactions: [],
    v3AndBelowTransactionalId: identity.transactionalId,
    v3AndBelowProducerId: identity.producerId,
    v3AndBelowProducerEpoch: identity.producerEpoch,
    v3AndBelowTopics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
  };
  const response = await coordinator.request(AddPartitionsToTxn, request, { version });
  const codes = new Map<string, number>();
  for (const topic of response.resultsByTopicV3AndBelow) {
    for (const result of topic.resultsByPartition) codes.set(`${topic.name}\0${result.partitionIndex}`, result.partitionErrorCode);
  }
  const outcome: AddPartitionsOutcome = { added: [], errors: [], concurrentTransactions: true };
  for (const queue of queues) {
    const code = codes.get(`${queue.topic}\0${queue.partition}`) ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    if (code === 0) {
      outcome.added.push(queue);
      continue;
    }
    if (code === ErrorCode.OPERATION_NOT_ATTEMPTED) continue;
    if (code !== ErrorCode.CONCURRENT_TRANSACTIONS) outcome.concurrentTransactions = false;
    const context = { api: `AddPartitionsToTxn (transactional id ${identity.transactionalId})`, broker: coordinator.label, topic: queue.topic, partition: queue.partition };
    outcome.errors.push(transactionalError(identity.transactionalId, code, context));
  }
  return outcome;
}
