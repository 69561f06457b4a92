import { ErrorCode } from '@kstream/protocol';
import type { TopicPartitionRef, TransactionCoordinatorConfig, TxnMarkerWriter } from '../coordinator-types.js';
import { TransactionCoordinator } from '../transaction-coordinator.js';
import { CapturingLogger, CountingProducerIds, ManualTimers, RecordingMarkerWriter, settle, testConfig } from './fakes.test-support.js';
import { MemoryTransactionLog } from './memory-transaction-log.test-support.js';

export interface Fixture {
  readonly coordinator: TransactionCoordinator;
  readonly log: MemoryTransactionLog;
  readonly markers: RecordingMarkerWriter;
  readonly producerIds: CountingProducerIds;
  readonly timers: ManualTimers;
  readonly logger: CapturingLogger;
  config: TransactionCoordinatorConfig;
  /** Partitions metadata knows: every partition of a topic in this set (and __consumer_offsets). */
  readonly topics: Set<string>;
  /** Leads partition `partition` of the log at `epoch`, tells the coordinator and waits for the load. */
  elect(partition?: number, epoch?: number): Promise<void>;
  init(
    transactionalId: string,
    options?: { timeoutMs?: number; apiVersion?: number; producerId?: bigint; producerEpoch?: number },
  ): Promise<{ errorCode: number; producerId: bigint; producerEpoch: number }>;
  add(transactionalId: string, producer: Producer, partitions: TopicPartitionRef[], apiVersion?: number): Promise<number[]>;
  end(transactionalId: string, producer: Producer, commit: boolean, apiVersion?: number): Promise<number>;
  describe(transactionalId: string): Promise<{ errorCode: number; transactionState: string; producerEpoch: number; topics: { topic: string; partitions: number[] }[] }>;
}

export interface Producer {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

/** A coordinator over an in-memory __transaction_state of `partitions` partitions (1: every id on partition 0); `markerWriter` replaces the recording one. */
export function fixture(
  options: {
    log?: MemoryTransactionLog;
    timers?: ManualTimers;
    markers?: RecordingMarkerWriter;
    producerIds?: CountingProducerIds;
    config?: Partial<TransactionCoordinatorConfig>;
    partitions?: number;
    markerWriter?: TxnMarkerWriter;
  } = {},
): Fixture {
  const log = options.log ?? new MemoryTransactionLog();
  const timers = options.timers ?? new ManualTimers();
  const markers = options.markers ?? new RecordingMarkerWriter();
  const producerIds = options.producerIds ?? new CountingProducerIds();
  const logger = new CapturingLogger();
  const topics = new Set(['orders', 'payments']);
  const f: Fixture = {
    log,
    markers,
    producerIds,
    timers,
    logger,
    topics,
    config: testConfig(options.config),
    coordinator: undefined as unknown as TransactionCoordinator,
    async elect(partition = 0, epoch = 0) {
      log.lead(partition, epoch);
      f.coordinator.onElection(partition, epoch);
      await settle();
    },
    async init(transactionalId, { timeoutMs = 60_000, apiVersion = 4, producerId = -1n, producerEpoch = -1 } = {}) {
      const response = await f.coordinator.initProducerId({ transactionalId, transactionTimeoutMs: timeoutMs, producerId, producerEpoch }, apiVersion);
      return { errorCode: response.errorCode, producerId: response.producerId, producerEpoch: response.producerEpoch };
    },
    async add(transactionalId, producer, partitions, apiVersion = 3) {
      const byTopic = new Map<string, number[]>();
      for (const { topic, partition } of partitions) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
      const topicsOf = [...byTopic].map(([name, ids]) => ({ name, partitions: ids }));
      const response = await f.coordinator.addPartitionsToTxn(
        apiVersion >= 4
          ? {
              transactions: [{ transactionalId, producerId: producer.producerId, producerEpoch: producer.producerEpoch, verifyOnly: false, topics: topicsOf }],
              v3AndBelowTransactionalId: '',
              v3AndBelowProducerId: 0n,
              v3AndBelowProducerEpoch: 0,
              v3AndBelowTopics: [],
            }
          : {
              transactions: [],
              v3AndBelowTransactionalId: transactionalId,
              v3AndBelowProducerId: producer.producerId,
              v3AndBelowProducerEpoch: producer.producerEpoch,
              v3AndBelowTopics: topicsOf,
            },
        apiVersion,
      );
      const results = apiVersion >= 4 ? response.resultsByTransaction[0]!.topicResults : response.resultsByTopicV3AndBelow;
      return results.flatMap((topic) => topic.resultsByPartition.map((p) => p.partitionErrorCode));
    },
    async end(transactionalId, producer, commit, apiVersion = 3) {
      const response = await f.coordinator.endTxn({ transactionalId, producerId: producer.producerId, producerEpoch: producer.producerEpoch, committed: commit }, apiVersion);
      return response.errorCode;
    },
    async describe(transactionalId) {
      const response = await f.coordinator.describeTransactions({ transactionalIds: [transactionalId] });
      return response.transactionStates[0]!;
    },
  };
  (f as { coordinator: TransactionCoordinator }).coordinator = new TransactionCoordinator({
    brokerId: 1,
    config: () => f.config,
    log,
    transactionTopicPartitionCount: () => options.partitions ?? 1,
    offsetsTopicPartitionCount: () => 50,
    partitionExists: (topic, partition) => partition >= 0 && (topic === '__consumer_offsets' ? partition < 50 : partition < 8 && topics.has(topic)),
    producerIds,
    markers: options.markerWriter ?? markers,
    logger,
    clock: timers.clock,
    timers,
  });
  return f;
}

/** InitProducerId for `transactionalId` that must succeed. */
export async function initialized(f: Fixture, transactionalId: string, timeoutMs = 60_000): Promise<Producer> {
  const result = await f.init(transactionalId, { timeoutMs });
  if (result.errorCode !== ErrorCode.NONE) throw new Error(`InitProducerId for ${transactionalId} failed with ${result.errorCode}`);
  return result;
}

export const orders0: TopicPartitionRef = { topic: 'orders', partition: 0 };
export const orders1: TopicPartitionRef = { topic: 'orders', partition: 1 };
export const payments0: TopicPartitionRef = { topic: 'payments', partition: 0 };
