import { CompressionType, encodeRecordBatch, encodeUncompressedRecordBatch, ErrorCode, Produce, type RequestOf, type ResponseOf } from '@kstream/protocol';
import type { BrokerConnection } from '../connection/index.js';
import type { ClusterClient } from '../cluster/index.js';
import { backoffDelay, KafkaClientError, KafkaClosedError, KafkaRetriesExhaustedError, protocolError } from '../errors/index.js';
import { restampBatch } from './batch-stamp.js';
import type { ProducerBatch } from './producer-batch.js';
import type { ProducerIdempotence } from './producer-idempotence.js';
import type { ResolvedProducerOptions } from './producer-options.js';
import type { PartitionQueue, RecordAccumulator } from './record-accumulator.js';
import { recordSize } from './record-size.js';
import { transactionalError } from './transaction-errors.js';
import type { TransactionManager } from './transaction-manager.js';

type ProduceResponse = ResponseOf<typeof Produce>;
type PartitionResponse = ProduceResponse['responses'][number]['partitionResponses'][number];

/** Errors after which the client's metadata for the partition is wrong (Kafka's InvalidMetadataException family). */
const STALE_METADATA_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
]);

/**
 * Kafka's Sender, without a thread: each run expires overdue batches, drains
 * ready ones into one Produce request per leader (several pipelined, up to
 * maxInFlightRequestsPerConnection), and schedules the next run for when the
 * next batch lingers out or a retry is due; appends that fill a batch and
 * every answer wake it. Answers complete batches, or put retriable failures
 * back in their queue with backoff until deliveryTimeoutMs. A partition has
 * up to maxInFlightRequestsPerConnection batches in flight, as in the Java
 * client: idempotent, the broker's sequence checks keep their order across
 * retries; without idempotence a retried batch may land after a later one
 * (Kafka documents the same), which maxInFlightRequestsPerConnection: 1 rules out.
 * A transactional producer's batches wait until their partition is in the
 * transaction (the TransactionManager sends AddPartitionsToTxn for the new
 * partitions of each run, in one request), go out marked transactional, and
 * are dropped unsent when the transaction fails or aborts.
 */
export class Sender {
  /** flush() calls in progress: while any is, open batches are sent without waiting out linger. */
  flushing = 0;
  #forceClosed = false;
  /** Per leader: resolves once the last request handed to it is queued on its connection. */
  readonly #wireTail = new Map<number, Promise<void>>();
  #runQueued = false;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  readonly #requestsInFlight = new Map<number, number>();
  #batchesInFlight = 0;
  #bumping = false;
  /** Topics whose leaders must be looked up, and when that may next happen. */
  readonly #staleTopics = new Set<string>();
  #refreshing = false;
  #nextRefreshAt = 0;
  readonly #run = () => {
    this.#runQueued = false;
    this.run();
  };
  readonly #onTimer = () => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.run();
  };

  constructor(
    readonly accumulator: RecordAccumulator,
    readonly cluster: ClusterClient,
    readonly options: ResolvedProducerOptions<unknown, unknown>,
    readonly idempotence: ProducerIdempotence,
    readonly transactions: TransactionManager | undefined,
  ) {}

  /** Runs soon (once, however often it is asked before then). */
  wakeup(): void {
    if (this.#runQueued) return;
    this.#runQueued = true;
    setImmediate(this.#run);
  }

  /** Makes sure a run happens by `at` (Date.now() ms): an open batch's linger. */
  runBy(at: number): void {
    if (at >= this.#timerAt || this.#forceClosed) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(this.#onTimer, Math.max(0, at - Date.now()));
  }

  /** Stops sending: what is queued fails with KafkaClosedError now, what is in flight when its answer (or the connection's close) comes. */
  forceClose(): void {
    this.#forceClosed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const error = new KafkaClosedError('the producer was closed before these records were sent');
    for (const batch of this.accumulator.abortQueued()) batch.fail(error);
  }

  run(): void {
    if (this.#forceClosed) return;
    const now = Date.now();
    const { expired, nextExpiryAt } = this.accumulator.expire(now, this.options.deliveryTimeoutMs);
    for (const batch of expired) this.#expire(batch);
    const transactions = this.transactions;
    if (transactions !== undefined) {
      const dropped = transactions.unsentDropped();
      if (dropped !== undefined) {
        for (const batch of dropped.retriesToo ? this.accumulator.abortQueued() : this.accumulator.abortUnsent()) batch.fail(dropped.error);
      }
      transactions.addPendingPartitions();
    }
    if (this.idempotence.bumpRequested) {
      this.#bumpEpochWhenIdle();
      this.runBy(nextExpiryAt);
      return;
    }
    const maxInFlight = this.options.client.maxInFlightRequestsPerConnection;
    const { requests, nextCheckAt } = this.accumulator.drain({
      now,
      flushing: this.flushing > 0,
      leaderOf: (queue) => this.#leaderOf(queue),
      requestSlots: (leader) => maxInFlight - (this.#requestsInFlight.get(leader) ?? 0),
      // As the Java client: up to maxInFlightRequestsPerConnection batches per partition. With
      // idempotence the broker's sequence checks keep their order across retries; without it a
      // retry may reorder them, as Kafka documents, unless maxInFlightRequestsPerConnection is 1.
      maxInFlightPerPartition: maxInFlight,
      maxRequestSize: this.options.maxRequestSize,
      ...(transactions === undefined ? {} : { mayDrain: (queue: PartitionQueue) => transactions.mayDrain(queue) }),
    });
    for (const { leader, batches } of requests) void this.#send(leader, batches);
    if (this.#staleTopics.size > 0) this.#refreshMetadata(now);
    this.runBy(Math.min(nextCheckAt, nextExpiryAt));
  }

  #leaderOf(queue: PartitionQueue): number {
    const leader = this.cluster.metadata.topics.get(queue.topic)?.partitions[queue.partition]?.leader ?? -1;
    if (leader < 0) this.#staleTopics.add(queue.topic);
    return leader;
  }

  /** Looks up leaders of topics that lack one, at most once per retryBackoffMs; the next run uses them. */
  #refreshMetadata(now: number): void {
    if (this.#refreshing) return;
    if (now < this.#nextRefreshAt) {
      this.runBy(this.#nextRefreshAt);
      return;
    }
    const topics = [...this.#staleTopics];
    this.#staleTopics.clear();
    this.#refreshing = true;
    this.#nextRefreshAt = now + this.options.client.retryBackoffMs;
    for (const topic of topics) this.cluster.invalidate(topic);
    this.cluster
      .refreshMetadata(topics)
      .catch((error: unknown) => this.options.client.logger.warn('producer metadata refresh failed; retrying', { topics, error: String(error) }))
      .finally(() => {
        this.#refreshing = false;
        this.wakeup();
      });
  }

  async #send(leader: number, batches: ProducerBatch[]): Promise<void> {
    this.#requestsInFlight.set(leader, (this.#requestsInFlight.get(leader) ?? 0) + 1);
    this.#batchesInFlight += batches.length;
    for (const batch of batches) batch.attempts++;
    // Batches are built (compressed) concurrently, but requests to one leader go on the wire in
    // drain order: a later batch of a partition must never overtake an earlier one.
    const prepared = Promise.all([this.cluster.broker(leader), this.#request(batches)]);
    const prior = this.#wireTail.get(leader);
    let issued!: () => void;
    const tail = new Promise<void>((resolve) => (issued = resolve));
    this.#wireTail.set(leader, tail);
    try {
      const [connection, body] = await (prior === undefined ? prepared : prior.then(() => prepared));
      if (this.options.acks === 0) {
        const written = connection.requestWithoutResponse(Produce, body);
        issued();
        await written;
        for (const batch of batches) this.#completed(batch, -1n, -1);
      } else {
        const answered = connection.request(Produce, body);
        issued();
        this.#handleResponse(await answered, batches, connection);
      }
    } catch (error) {
      const failure = error instanceof KafkaClientError ? error : new KafkaClientError(`Produce to broker ${leader} failed: ${String(error)}`, { retriable: false, cause: error });
      for (const batch of batches) {
        // The leader may have moved (a crash, a controlled shutdown): look it up before the retry.
        if (failure.retriable) this.#staleTopics.add(batch.topic);
        this.#retryOrFail(batch, failure);
      }
    } finally {
      issued();
      if (this.#wireTail.get(leader) === tail) this.#wireTail.delete(leader);
      const left = this.#requestsInFlight.get(leader)! - 1;
      if (left === 0) this.#requestsInFlight.delete(leader);
      else this.#requestsInFlight.set(leader, left);
      this.#batchesInFlight -= batches.length;
      this.wakeup();
    }
  }

  /** One Produce request for `batches` (one per partition), each built once — stamped for idempotence first. */
  async #request(batches: ProducerBatch[]): Promise<RequestOf<typeof Produce>> {
    const byTopic = new Map<string, { index: number; records: Buffer }[]>();
    const built = await Promise.all(batches.map((batch) => this.#build(batch)));
    for (let i = 0; i < batches.length; i++) {
      const batch = batches[i]!;
      let partitions = byTopic.get(batch.topic);
      if (partitions === undefined) byTopic.set(batch.topic, (partitions = []));
      partitions.push({ index: batch.partition, records: built[i]! });
    }
    const topicData: RequestOf<typeof Produce>['topicData'] = [];
    for (const [name, partitionData] of byTopic) topicData.push({ name, partitionData });
    return { transactionalId: this.options.transactionalId, acks: this.options.acks, timeoutMs: this.options.client.requestTimeoutMs, topicData };
  }

  #build(batch: ProducerBatch): Buffer | Promise<Buffer> {
    const restamped = this.idempotence.active && this.idempotence.stamp(batch, this.accumulator.queue(batch.topic, batch.partition));
    if (batch.built !== undefined) {
      if (restamped) restampBatch(batch.built, batch.producerId, batch.producerEpoch, batch.baseSequence);
      return batch.built;
    }
    const input = {
      compression: this.options.compression,
      producerId: batch.producerId,
      producerEpoch: batch.producerEpoch,
      baseSequence: batch.baseSequence,
      isTransactional: this.transactions !== undefined,
      records: batch.records,
    };
    if (this.options.compression === CompressionType.None) return (batch.built = encodeUncompressedRecordBatch(input));
    return encodeRecordBatch(input).then((built) => (batch.built = built));
  }

  #handleResponse(response: ProduceResponse, batches: ProducerBatch[], connection: BrokerConnection): void {
    const answers = new Map<string, PartitionResponse>();
    for (const topic of response.responses) {
      for (const partition of topic.partitionResponses) answers.set(`${topic.name}\0${partition.index}`, partition);
    }
    for (const batch of batches) {
      const answer = answers.get(`${batch.topic}\0${batch.partition}`);
      if (answer === undefined) {
        this.#retryOrFail(
          batch,
          new KafkaClientError(`${connection.label} did not answer for ${batch.topic}-${batch.partition} in its Produce response`, {
            retriable: true,
          }),
        );
      } else {
        this.#handlePartition(batch, answer, response, connection);
      }
    }
  }

  #handlePartition(batch: ProducerBatch, answer: PartitionResponse, response: ProduceResponse, connection: BrokerConnection): void {
    const code = answer.errorCode;
    if (code === 0 || (code === ErrorCode.DUPLICATE_SEQUENCE_NUMBER && this.idempotence.active)) {
      this.#completed(batch, answer.baseOffset, Number(answer.logAppendTimeMs));
      return;
    }
    const { topic, partition } = batch;
    const context = { api: 'Produce', topic, partition, broker: connection.label, serverMessage: answer.errorMessage };
    const { transactionalId } = this.options;
    const error = transactionalId === null ? protocolError(code, context) : transactionalError(transactionalId, code, context);
    if (this.transactions !== undefined ? this.#handleTransactionalError(batch, code, error) : this.idempotence.active && this.#handleSequenceError(batch, code, error)) {
      return;
    }
    if (code === ErrorCode.MESSAGE_TOO_LARGE && batch.recordCount > 1) {
      // As Kafka's Sender: the broker's limit is below this batch; halves may fit, a single record that does not fails.
      const parts = batch.split((record) => recordSize(record.key, record.value, record.headers));
      for (const part of parts) part.retryAt = Date.now();
      this.accumulator.reenqueueSplit(batch, parts, this.accumulator.queue(topic, partition));
      return;
    }
    if (STALE_METADATA_ERRORS.has(code)) {
      const hint = answer.currentLeader;
      if (hint.leaderId >= 0 && hint.leaderEpoch >= 0) {
        this.cluster.applyLeaderHint(topic, partition, hint.leaderId, hint.leaderEpoch, response.nodeEndpoints);
      } else {
        this.cluster.invalidate(topic);
        this.#staleTopics.add(topic);
      }
    }
    this.#retryOrFail(batch, error);
  }

  /**
   * The idempotent producer's answers to sequence trouble, as Kafka's:
   * returns true when it has dealt with the batch.
   */
  #handleSequenceError(batch: ProducerBatch, code: number, error: KafkaClientError): boolean {
    const queue = this.accumulator.queue(batch.topic, batch.partition);
    switch (code) {
      case ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER:
        if (this.idempotence.isNextExpected(batch, queue)) {
          // Nothing before it is unacknowledged, yet the broker expected another sequence: records were lost. Fail it, start a new epoch.
          this.idempotence.bumpRequested = true;
          this.#fail(batch, queue, error);
        } else {
          // A batch before it failed; it is resent after that one.
          this.#requeue(batch, queue, this.options.client.retryBackoffMs);
        }
        return true;
      case ErrorCode.UNKNOWN_PRODUCER_ID:
      case ErrorCode.INVALID_PRODUCER_EPOCH:
        // The broker lost (or moved past) this producer's state: a new epoch restarts the sequences; the batch is resent under it.
        this.idempotence.bumpRequested = true;
        this.#retryOrFail(batch, new KafkaClientError(error.message, { retriable: true, cause: error }));
        return true;
      default:
        return false;
    }
  }

  /**
   * A transactional producer's answers to producer-state errors (KIP-360):
   * fencing is fatal, an unknown producer or a lost sequence fails the batch
   * and the transaction, whose abort bumps the epoch. Returns true when it
   * has dealt with the batch.
   */
  #handleTransactionalError(batch: ProducerBatch, code: number, error: KafkaClientError): boolean {
    const queue = this.accumulator.queue(batch.topic, batch.partition);
    switch (code) {
      case ErrorCode.PRODUCER_FENCED:
      case ErrorCode.INVALID_PRODUCER_EPOCH:
      case ErrorCode.UNKNOWN_PRODUCER_ID:
        this.#fail(batch, queue, error);
        return true;
      case ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER:
        // A batch before it failed: resent after that one while the transaction may still commit, else given up with it.
        if (!this.idempotence.isNextExpected(batch, queue) && this.transactions!.mayCommit) this.#requeue(batch, queue, this.options.client.retryBackoffMs);
        else this.#fail(batch, queue, error);
        return true;
      default:
        return false;
    }
  }

  #completed(batch: ProducerBatch, baseOffset: bigint, logAppendTime: number): void {
    const queue = this.accumulator.queue(batch.topic, batch.partition);
    if (this.idempotence.active) this.idempotence.acknowledged(batch, queue);
    this.accumulator.finished(batch, queue);
    batch.complete(baseOffset, logAppendTime);
  }

  #retryOrFail(batch: ProducerBatch, error: KafkaClientError): void {
    const queue = this.accumulator.queue(batch.topic, batch.partition);
    batch.lastError = error;
    if (this.#forceClosed) {
      this.#fail(batch, queue, new KafkaClosedError(`the producer was closed while ${describe(batch)} was in flight`));
    } else if (!error.retriable) {
      this.#fail(batch, queue, error);
    } else if (Date.now() >= batch.createdAt + this.options.deliveryTimeoutMs || batch.attempts > this.options.client.retries) {
      this.#fail(batch, queue, this.#exhausted(batch, error));
    } else {
      const backoffMs = backoffDelay(batch.attempts - 1, this.options.client);
      this.options.client.logger.debug(`retrying ${describe(batch)} in ${backoffMs} ms (attempt ${batch.attempts + 1})`, { error: error.message });
      this.#requeue(batch, queue, backoffMs);
    }
  }

  #requeue(batch: ProducerBatch, queue: PartitionQueue, backoffMs: number): void {
    batch.retryAt = Date.now() + backoffMs;
    this.accumulator.reenqueue(batch, queue);
  }

  #fail(batch: ProducerBatch, queue: PartitionQueue | undefined, error: unknown): void {
    this.#givenUp(batch, error);
    this.accumulator.finished(batch, queue);
    batch.fail(error);
  }

  #expire(batch: ProducerBatch): void {
    const error = this.#exhausted(batch, batch.lastError);
    this.#givenUp(batch, error);
    batch.fail(error);
  }

  /** A batch fails for good: it fails its transaction; a sequenced one leaves a gap the broker would refuse the next batch for, so the epoch must be bumped. */
  #givenUp(batch: ProducerBatch, error: unknown): void {
    const sequenced = this.idempotence.active && batch.baseSequence >= 0;
    if (this.transactions === undefined) {
      if (sequenced) this.idempotence.bumpRequested = true;
    } else if (sequenced) {
      this.transactions.failedWithEpochBump(error);
    } else {
      this.transactions.failed(error);
    }
  }

  #exhausted(batch: ProducerBatch, lastError: unknown): KafkaRetriesExhaustedError {
    const why = lastError instanceof Error ? `: ${lastError.message}` : ' (no leader or connection was available)';
    return new KafkaRetriesExhaustedError(
      `${describe(batch)} not acknowledged within deliveryTimeoutMs (${this.options.deliveryTimeoutMs} ms), after ${batch.attempts} attempts${why}`,
      batch.attempts,
      lastError,
    );
  }

  /** Bumps the epoch once nothing is in flight (answers to the old epoch must be in first), then sends again. */
  #bumpEpochWhenIdle(): void {
    if (this.#bumping || this.#batchesInFlight > 0) return;
    this.#bumping = true;
    this.idempotence
      .bumpEpoch(this.accumulator.queues, Date.now() + this.options.deliveryTimeoutMs)
      .catch((error: unknown) => this.options.client.logger.error('the idempotent producer could not bump its epoch; retrying', { error: String(error) }))
      .finally(() => {
        this.#bumping = false;
        this.wakeup();
      });
  }
}

function describe(batch: ProducerBatch): string {
  return `${batch.recordCount} record(s) for ${batch.topic}-${batch.partition}`;
}
