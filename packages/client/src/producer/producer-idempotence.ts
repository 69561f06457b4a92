import { InitProducerId } from '@kstream/protocol';
import type { ClusterClient } from '../cluster/index.js';
import { protocolError, withRetry } from '../errors/index.js';
import type { ResolvedClientOptions } from '../options/index.js';
import type { ProducerBatch } from './producer-batch.js';
import { nextSequence } from './producer-sequence.js';
import type { PartitionQueue } from './record-accumulator.js';

/** An idempotent producer asks for no transaction timeout: Kafka's idempotent producer sends Integer.MAX_VALUE. */
const NO_TRANSACTION_TIMEOUT = 2 ** 31 - 1;

/**
 * The idempotent producer's identity and sequence numbers (the idempotent
 * part of Kafka's TransactionManager). A producer id and epoch come from
 * InitProducerId; every batch is stamped, when first sent, with its
 * partition's next sequence, and keeps it across retries so the broker can
 * drop a duplicate. When the sequence of a partition can no longer be trusted
 * (UNKNOWN_PRODUCER_ID, an out-of-order sequence with nothing before it in
 * flight, a sequenced batch failed or expired) the epoch is bumped — once
 * nothing is in flight — and every partition starts again at sequence 0.
 */
export class ProducerIdempotence {
  producerId = -1n;
  producerEpoch = -1;
  /** Set when the epoch must be bumped; the sender stops draining until it is. */
  bumpRequested = false;

  constructor(
    readonly cluster: ClusterClient,
    readonly options: ResolvedClientOptions,
  ) {}

  get active(): boolean {
    return this.producerId >= 0n;
  }

  /**
   * Gets a producer id when the brokers support InitProducerId; false when
   * they do not (the producer then runs without idempotence).
   */
  async init(deadline: number): Promise<boolean> {
    const broker = await this.cluster.anyBroker();
    if (!broker.supports(InitProducerId)) return false;
    const { producerId, producerEpoch } = await this.#initProducerId(deadline);
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    return true;
  }

  /** Bumps the epoch (InitProducerId v3+ with the current id and epoch; a new id before v3) and restarts every partition's sequence. */
  async bumpEpoch(queues: readonly PartitionQueue[], deadline: number): Promise<void> {
    const { producerId, producerEpoch } = await this.#initProducerId(deadline);
    this.adopt(producerId, producerEpoch, queues);
  }

  /** Takes a producer id and epoch InitProducerId gave (here, or at a transaction coordinator): every partition's sequence restarts at 0. */
  adopt(producerId: bigint, producerEpoch: number, queues: readonly PartitionQueue[]): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    for (const queue of queues) {
      queue.nextSequence = 0;
      queue.ackedSequence = 0;
    }
    this.bumpRequested = false;
  }

  /** Gives a batch being sent its sequence, unless it keeps the one it was sent with under the current epoch. Returns whether its stamp changed. */
  stamp(batch: ProducerBatch, queue: PartitionQueue): boolean {
    if (batch.producerId === this.producerId && batch.producerEpoch === this.producerEpoch && batch.baseSequence >= 0) return false;
    batch.producerId = this.producerId;
    batch.producerEpoch = this.producerEpoch;
    batch.baseSequence = queue.nextSequence;
    queue.nextSequence = nextSequence(queue.nextSequence, batch.recordCount);
    return true;
  }

  /** The broker acknowledged the batch: the partition's expected sequence moves past it. */
  acknowledged(batch: ProducerBatch, queue: PartitionQueue): void {
    if (batch.producerEpoch === this.producerEpoch) queue.ackedSequence = nextSequence(batch.baseSequence, batch.recordCount);
  }

  /** Whether the broker should have accepted this batch next: nothing of its partition before it is unacknowledged. */
  isNextExpected(batch: ProducerBatch, queue: PartitionQueue): boolean {
    return batch.producerEpoch === this.producerEpoch && batch.baseSequence === queue.ackedSequence;
  }

  async #initProducerId(deadline: number): Promise<{ producerId: bigint; producerEpoch: number }> {
    const { options } = this;
    return withRetry(
      async () => {
        const broker = await this.cluster.anyBroker();
        const bump = this.active && broker.version(InitProducerId) >= 3;
        const response = await broker.request(InitProducerId, {
          transactionalId: null,
          transactionTimeoutMs: NO_TRANSACTION_TIMEOUT,
          producerId: bump ? this.producerId : -1n,
          producerEpoch: bump ? this.producerEpoch : -1,
        });
        if (response.errorCode !== 0) throw protocolError(response.errorCode, { api: 'InitProducerId', broker: broker.label });
        return response;
      },
      { ...options, deadline, description: 'InitProducerId for the idempotent producer' },
    );
  }
}
