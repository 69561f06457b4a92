import type { Logger } from '@kstream/log-storage';
import {
  ErrorCode,
  type AddOffsetsToTxn,
  type AddPartitionsToTxn,
  type DescribeTransactions,
  type EndTxn,
  type InitProducerId,
  type ListTransactions,
  type RequestOf,
  type ResponseOf,
} from '@kstream/protocol';
import { handleAddPartitionsToTxn } from './add-partitions-to-txn.js';
import { fencedForVersion, PRODUCER_FENCED_SINCE } from './api-errors.js';
import type {
  CoordinatorTimers,
  ProducerIdSource,
  TransactionCoordinatorConfig,
  TransactionLog,
  TxnMarkerResult,
  TxnMarkerWriter,
  VerifyTxnPartitionsRequest,
} from './coordinator-types.js';
import {
  abortTimedOutTransactions,
  addPartitionsToTransaction,
  coordinatorPartition,
  describeTransaction,
  endTransaction,
  initProducerId,
  listTransactions,
  notDescribed,
  removeExpiredTransactionalIds,
  TransactionShards,
  TransitionWriter,
  TxnMarkerSender,
  verifyPartitionsInTransaction,
  type CoordinatorContext,
  type TransactionShard,
} from './txn/index.js';
import { TransactionState } from './records/index.js';

export interface TransactionCoordinatorOptions {
  readonly brokerId: number;
  /** Read per use: dynamic broker configs. */
  readonly config: () => TransactionCoordinatorConfig;
  readonly log: TransactionLog;
  /** The partition count of __transaction_state (metadata's, else transaction.state.log.num.partitions). */
  readonly transactionTopicPartitionCount: () => number;
  /** The partition count of __consumer_offsets (AddOffsetsToTxn adds the group's partition to the transaction). */
  readonly offsetsTopicPartitionCount: () => number;
  /** Whether metadata knows the partition: AddPartitionsToTxn answers UNKNOWN_TOPIC_OR_PARTITION otherwise. */
  readonly partitionExists: (topic: string, partition: number) => boolean;
  readonly producerIds: ProducerIdSource;
  readonly markers: TxnMarkerWriter;
  readonly logger: Logger;
  readonly clock?: () => number;
  readonly timers?: CoordinatorTimers;
}

const DEFAULT_TIMERS: CoordinatorTimers = {
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * The transaction coordinator of the __transaction_state partitions this
 * broker leads (Kafka's TransactionCoordinator): transactional ids, their
 * producer ids and epochs, the partitions of their open transactions, and
 * the markers that end them. Every state change is written to the id's
 * partition (acks=all) before it counts. Each active partition runs two
 * periodic checks: timed-out transactions are aborted (their producer
 * fenced), idle transactional ids expire. Owned by the broker's loop.
 */
export class TransactionCoordinator {
  private readonly ctx: CoordinatorContext;
  private readonly shards: TransactionShards;
  private readonly markerSender: TxnMarkerSender;
  private readonly timers: CoordinatorTimers;
  private readonly clock: () => number;
  private closed = false;

  constructor(private readonly options: TransactionCoordinatorOptions) {
    this.clock = options.clock ?? Date.now;
    this.timers = options.timers ?? DEFAULT_TIMERS;
    const { log, logger, config } = options;
    this.shards = new TransactionShards({
      log,
      config,
      transactionTopicPartitionCount: options.transactionTopicPartitionCount,
      clock: this.clock,
      logger,
      onActivated: (shard) => this.onActivated(shard),
      onUnloaded: (shard) => {
        this.timers.clearTimeout(shard.abortTimer);
        this.timers.clearTimeout(shard.expiryTimer);
      },
    });
    const writer = new TransitionWriter({ log, shards: this.shards, clock: this.clock, logger });
    this.markerSender = new TxnMarkerSender({ markers: options.markers, writer, partitionExists: options.partitionExists, timers: this.timers, logger });
    this.ctx = { shards: this.shards, writer, markerSender: this.markerSender, producerIds: options.producerIds, config, clock: this.clock, logger };
  }

  /** This broker leads __transaction_state-<partition> at `leaderEpoch` (the coordinator epoch of its markers): load it. */
  onElection(partition: number, leaderEpoch: number): void {
    if (this.closed) return;
    this.options.logger.info('transaction coordinator: elected for __transaction_state partition', { partition, leaderEpoch, brokerId: this.options.brokerId });
    this.shards.onElection(partition, leaderEpoch);
  }

  /** It no longer leads it: drop its ids; its marker rounds stop. `leaderEpoch` undefined = any. */
  onResignation(partition: number, leaderEpoch?: number): void {
    this.shards.onResignation(partition, leaderEpoch);
  }

  /** InitProducerId with a transactional id (the broker answers one without from its ProducerIdManager). */
  async initProducerId(request: RequestOf<typeof InitProducerId>, apiVersion: number): Promise<ResponseOf<typeof InitProducerId>> {
    const answer = (errorCode: number, producerId = -1n, producerEpoch = -1): ResponseOf<typeof InitProducerId> => ({
      throttleTimeMs: 0,
      errorCode: fencedForVersion(errorCode, apiVersion, PRODUCER_FENCED_SINCE.InitProducerId),
      producerId,
      producerEpoch,
    });
    if (this.closed) return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (request.transactionalId === null) return answer(ErrorCode.INVALID_REQUEST);
    const { producerId, producerEpoch } = request;
    // KIP-360: both or neither.
    if ((producerId === -1n) !== (producerEpoch === -1)) return answer(ErrorCode.INVALID_REQUEST);
    const expected = producerId === -1n ? undefined : { producerId, producerEpoch };
    const result = await initProducerId(this.ctx, request.transactionalId, request.transactionTimeoutMs, expected);
    return answer(result.errorCode, result.producerId, result.producerEpoch);
  }

  async addPartitionsToTxn(request: RequestOf<typeof AddPartitionsToTxn>, apiVersion: number): Promise<ResponseOf<typeof AddPartitionsToTxn>> {
    return handleAddPartitionsToTxn(this.ctx, this.options.partitionExists, request, apiVersion);
  }

  /**
   * A partition leader verifying a transactional produce (KIP-890), as
   * AddPartitionsToTxn v4 verifyOnly answers it, per partition: NONE only
   * when the transaction is Ongoing with the partition added, for the same
   * producer id and epoch; COORDINATOR_NOT_AVAILABLE once closed.
   */
  verifyPartitions(request: VerifyTxnPartitionsRequest): TxnMarkerResult[] {
    const { transactionalId, producerId, producerEpoch, partitions } = request;
    const errors = this.closed
      ? partitions.map(() => ErrorCode.COORDINATOR_NOT_AVAILABLE)
      : verifyPartitionsInTransaction(this.ctx, transactionalId, producerId, producerEpoch, partitions);
    return partitions.map((tp, i) => ({ topic: tp.topic, partition: tp.partition, errorCode: errors[i]! }));
  }

  /** AddOffsetsToTxn: the group's __consumer_offsets partition joins the transaction (its offsets are committed by TxnOffsetCommit). */
  async addOffsetsToTxn(request: RequestOf<typeof AddOffsetsToTxn>, apiVersion: number): Promise<ResponseOf<typeof AddOffsetsToTxn>> {
    const offsetsPartition = { topic: '__consumer_offsets', partition: coordinatorPartition(request.groupId, this.options.offsetsTopicPartitionCount()) };
    const error = await addPartitionsToTransaction(this.ctx, request.transactionalId, request.producerId, request.producerEpoch, [offsetsPartition]);
    return { throttleTimeMs: 0, errorCode: fencedForVersion(error, apiVersion, PRODUCER_FENCED_SINCE.AddOffsetsToTxn) };
  }

  /** EndTxn: answered once PrepareCommit / PrepareAbort is written; the markers and the Complete* record follow. */
  async endTxn(request: RequestOf<typeof EndTxn>, apiVersion: number): Promise<ResponseOf<typeof EndTxn>> {
    const error = await endTransaction(this.ctx, request.transactionalId, request.producerId, request.producerEpoch, request.committed, true);
    return { throttleTimeMs: 0, errorCode: fencedForVersion(error, apiVersion, PRODUCER_FENCED_SINCE.EndTxn) };
  }

  async describeTransactions(request: RequestOf<typeof DescribeTransactions>): Promise<ResponseOf<typeof DescribeTransactions>> {
    const describe = (id: string) => (this.closed ? notDescribed(id, ErrorCode.COORDINATOR_NOT_AVAILABLE) : describeTransaction(this.shards, id));
    return { throttleTimeMs: 0, transactionStates: request.transactionalIds.map(describe) };
  }

  async listTransactions(request: RequestOf<typeof ListTransactions>): Promise<ResponseOf<typeof ListTransactions>> {
    if (this.closed) return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, unknownStateFilters: [], transactionStates: [] };
    const filters = { stateFilters: request.stateFilters, producerIdFilters: request.producerIdFilters, durationFilterMs: request.durationFilter };
    return listTransactions(this.shards, filters, this.clock());
  }

  /** Stops timers and retries; answers nothing more. */
  close(): void {
    this.closed = true;
    this.markerSender.close();
    this.shards.unloadAll();
  }

  /** A loaded partition: resume the commits and aborts its last coordinator left unfinished, and start its periodic checks. */
  private onActivated(shard: TransactionShard): void {
    for (const metadata of shard.transactions.values()) {
      if (metadata.state !== TransactionState.PrepareCommit && metadata.state !== TransactionState.PrepareAbort) continue;
      this.options.logger.info('transaction coordinator: resuming the end of a transaction', {
        transactionalId: metadata.transactionalId,
        producerId: metadata.producerId,
        producerEpoch: metadata.producerEpoch,
        commit: metadata.state === TransactionState.PrepareCommit,
        partitions: metadata.topicPartitions.size,
      });
      void this.markerSender.complete(shard, metadata, metadata.prepareComplete(this.clock()));
    }
    this.scheduleAbortCheck(shard);
    this.scheduleExpiryCheck(shard);
  }

  private scheduleAbortCheck(shard: TransactionShard): void {
    shard.abortTimer = this.timers.setTimeout(() => {
      if (!this.shards.owns(shard)) return;
      abortTimedOutTransactions(this.ctx, shard);
      this.scheduleAbortCheck(shard);
    }, this.options.config().abortTimedOutTransactionsIntervalMs);
  }

  private scheduleExpiryCheck(shard: TransactionShard): void {
    shard.expiryTimer = this.timers.setTimeout(() => {
      if (!this.shards.owns(shard)) return;
      void removeExpiredTransactionalIds(this.ctx, shard).finally(() => {
        if (this.shards.owns(shard)) this.scheduleExpiryCheck(shard);
      });
    }, this.options.config().removeExpiredTransactionalIdsIntervalMs);
  }
}
