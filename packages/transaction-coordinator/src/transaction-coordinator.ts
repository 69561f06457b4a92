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
import type { CoordinatorTimers, ProducerIdSource, TransactionCoordinatorConfig, TransactionLog, TxnMarkerWriter } from './coordinator-types.js';

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

/**
 * The transaction coordinator of the __transaction_state partitions this
 * broker leads (Kafka's TransactionCoordinator). SCAFFOLD: the API is fixed,
 * the behaviour is being built (issue 13).
 */
export class TransactionCoordinator {
  constructor(private readonly options: TransactionCoordinatorOptions) {}

  onElection(_partition: number, _leaderEpoch: number): void {}

  onResignation(_partition: number, _leaderEpoch?: number): void {}

  /** InitProducerId with a transactional id (the broker answers one without from its ProducerIdManager). */
  async initProducerId(request: RequestOf<typeof InitProducerId>, _apiVersion: number): Promise<ResponseOf<typeof InitProducerId>> {
    void request;
    return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_COORDINATOR, producerId: -1n, producerEpoch: -1 };
  }

  async addPartitionsToTxn(request: RequestOf<typeof AddPartitionsToTxn>, apiVersion: number): Promise<ResponseOf<typeof AddPartitionsToTxn>> {
    void request;
    void apiVersion;
    throw new Error('AddPartitionsToTxn: not built yet (issue 13)');
  }

  async addOffsetsToTxn(request: RequestOf<typeof AddOffsetsToTxn>, _apiVersion: number): Promise<ResponseOf<typeof AddOffsetsToTxn>> {
    void request;
    return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_COORDINATOR };
  }

  async endTxn(request: RequestOf<typeof EndTxn>, _apiVersion: number): Promise<ResponseOf<typeof EndTxn>> {
    void request;
    return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_COORDINATOR };
  }

  async describeTransactions(request: RequestOf<typeof DescribeTransactions>): Promise<ResponseOf<typeof DescribeTransactions>> {
    void request;
    throw new Error('DescribeTransactions: not built yet (issue 13)');
  }

  async listTransactions(request: RequestOf<typeof ListTransactions>): Promise<ResponseOf<typeof ListTransactions>> {
    void request;
    throw new Error('ListTransactions: not built yet (issue 13)');
  }

  /** Stops timers and retries; answers nothing more. */
  close(): void {
    void this.options;
  }
}
