import { ErrorCode, type DescribeTransactions, type ListTransactions, type ResponseOf } from '@kstream/protocol';
import { TransactionState, transactionStateFromName, transactionStateName } from '../records/index.js';
import type { TransactionMetadata } from './transaction-metadata.js';
import type { TransactionShards } from './transaction-shards.js';

// DescribeTransactions and ListTransactions (KIP-664), answered for the
// __transaction_state partitions this broker leads; admin clients fan out.

type DescribedState = ResponseOf<typeof DescribeTransactions>['transactionStates'][number];
type ListedState = ResponseOf<typeof ListTransactions>['transactionStates'][number];

/** An id not described: Kafka's field defaults beside the error. */
export function notDescribed(transactionalId: string, errorCode: number): DescribedState {
  return {
    errorCode,
    transactionalId,
    transactionState: '',
    transactionTimeoutMs: 0,
    transactionStartTimeMs: 0n,
    producerId: 0n,
    producerEpoch: 0,
    topics: [],
  };
}

/** One id's description: NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS when not served here, TRANSACTIONAL_ID_NOT_FOUND when unknown or expiring. */
export function describeTransaction(shards: TransactionShards, transactionalId: string): DescribedState {
  if (transactionalId === '') return notDescribed(transactionalId, ErrorCode.INVALID_REQUEST);
  const routed = shards.route(transactionalId);
  if ('errorCode' in routed) return notDescribed(transactionalId, routed.errorCode);
  const metadata = routed.shard.transactions.get(transactionalId);
  if (metadata === undefined || metadata.state === TransactionState.Dead || metadata.pendingState === TransactionState.Dead) {
    return notDescribed(transactionalId, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  }
  const topics = new Map<string, number[]>();
  for (const { topic, partition } of metadata.topicPartitions.values()) {
    let partitions = topics.get(topic);
    if (partitions === undefined) topics.set(topic, (partitions = []));
    partitions.push(partition);
  }
  return {
    errorCode: ErrorCode.NONE,
    transactionalId,
    transactionState: transactionStateName(metadata.state),
    transactionTimeoutMs: metadata.txnTimeoutMs,
    transactionStartTimeMs: BigInt(metadata.txnStartTimestamp),
    producerId: metadata.producerId,
    producerEpoch: metadata.producerEpoch,
    topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
  };
}

export interface ListFilters {
  readonly stateFilters: readonly string[];
  readonly producerIdFilters: readonly bigint[];
  /** < 0: none; else only transactions running longer than this many ms. */
  readonly durationFilterMs: bigint;
}

/**
 * The transactions of every active shard matching the filters (Kafka's
 * listTransactionStates): COORDINATOR_LOAD_IN_PROGRESS while any partition
 * loads; state names Kafka does not know come back in unknownStateFilters,
 * and when every state filter is unknown nothing matches.
 */
export function listTransactions(shards: TransactionShards, filters: ListFilters, now: number): ResponseOf<typeof ListTransactions> {
  if (shards.anyLoading()) return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, unknownStateFilters: [], transactionStates: [] };
  const states = new Set<TransactionState>();
  const unknownStateFilters: string[] = [];
  for (const name of filters.stateFilters) {
    const state = transactionStateFromName(name);
    if (state === undefined) unknownStateFilters.push(name);
    else states.add(state);
  }
  const transactionStates: ListedState[] = [];
  if (filters.stateFilters.length === 0 || states.size > 0) {
    const producerIds = new Set(filters.producerIdFilters);
    const included = (metadata: TransactionMetadata): boolean =>
      metadata.state !== TransactionState.Dead &&
      metadata.pendingState !== TransactionState.Dead &&
      (producerIds.size === 0 || producerIds.has(metadata.producerId)) &&
      (states.size === 0 || states.has(metadata.state)) &&
      (filters.durationFilterMs < 0n || BigInt(now - metadata.txnStartTimestamp) > filters.durationFilterMs);
    for (const shard of shards.active()) {
      for (const metadata of shard.transactions.values()) {
        if (!included(metadata)) continue;
        transactionStates.push({ transactionalId: metadata.transactionalId, producerId: metadata.producerId, transactionState: transactionStateName(metadata.state) });
      }
    }
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates };
}
