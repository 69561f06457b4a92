import type { TopicPartitions } from '@kstream/partitioner';
import { BATCH_HEADER_SIZE, type RecordInput } from '@kstream/protocol';
import { ClusterClient, type ClusterMetadata } from '../cluster/index.js';
import { KafkaClientError, KafkaClosedError, KafkaTimeoutError, withRetry } from '../errors/index.js';
import { BufferMemory } from './buffer-memory.js';
import { ProducerIdempotence } from './producer-idempotence.js';
import { resolveProducerOptions, type ProducerOptions, type ResolvedProducerOptions } from './producer-options.js';
import type { ProducerRecord, RecordMetadata } from './producer-record.js';
import { RecordAccumulator, type PartitionQueue } from './record-accumulator.js';
import { recordHeaders } from './record-headers.js';
import { recordSize } from './record-size.js';
import { SendCall } from './send-call.js';
import { Sender } from './sender.js';
import { Transaction } from './transaction.js';
import { KafkaTransactionStateError } from './transaction-errors.js';
import { TransactionManager } from './transaction-manager.js';

/**
 * Sends records to Kafka: serializes and partitions each record once,
 * appends it to its partition's batch (a bounded buffer: send() waits up to
 * maxBlockMs for room), and lets the Sender ship batches as they fill or
 * linger out. One promise per send() call, resolved with each record's
 * partition and offset. Idempotent when the brokers support it. With a
 * transactionalId it sends only within transactions (transaction()).
 */
export class Producer<K = Buffer, V = Buffer> {
  readonly #options: ResolvedProducerOptions<K, V>;
  readonly #cluster: ClusterClient;
  readonly #accumulator: RecordAccumulator;
  readonly #idempotence: ProducerIdempotence;
  readonly #sender: Sender;
  /** Set for a transactional producer. */
  readonly #transactions: TransactionManager | undefined;
  #connecting: Promise<void> | undefined;
  #connected = false;
  #closing: Promise<void> | undefined;
  /** Set when close() stops sending: a send still waiting for metadata or memory then fails instead of appending. */
  #stopped = false;
  /** Partitioner views of topics, valid for one metadata snapshot. */
  readonly #topics = new Map<string, TopicPartitions>();
  #topicsOf: ClusterMetadata | undefined;
  /** send() calls waiting for metadata or buffer memory: flush() and close() wait for them to append. */
  readonly #appending = new Set<Promise<void>>();

  constructor(options: ProducerOptions<K, V>) {
    this.#options = resolveProducerOptions(options);
    this.#cluster = new ClusterClient(this.#options.client);
    this.#accumulator = new RecordAccumulator(this.#options, new BufferMemory(this.#options.bufferMemory));
    this.#idempotence = new ProducerIdempotence(this.#cluster, this.#options.client);
    const resolved = this.#options as ResolvedProducerOptions<unknown, unknown>;
    const { transactionalId } = resolved;
    this.#transactions =
      transactionalId === null
        ? undefined
        : new TransactionManager(transactionalId, this.#cluster, resolved, this.#idempotence, {
            queues: this.#accumulator.queues,
            flush: () => this.flush(),
            settled: () => this.#settled(),
            wakeup: () => this.#sender.wakeup(),
          });
    this.#sender = new Sender(this.#accumulator, this.#cluster, resolved, this.#idempotence, this.#transactions);
  }

  /** Whether batches carry a producer id and sequences; known after connect(). */
  get idempotent(): boolean {
    return this.#idempotence.active;
  }

  /** Connects to the cluster and gets a producer id (idempotent or transactional: initTransactions). Optional: the first send() or transaction() does it. */
  connect(): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(closedError());
    if (this.#connecting === undefined) {
      this.#connecting = this.#connect();
      this.#connecting.catch(() => (this.#connecting = undefined));
    }
    return this.#connecting;
  }

  send(record: ProducerRecord<K, V>): Promise<RecordMetadata>;
  send(records: readonly ProducerRecord<K, V>[]): Promise<RecordMetadata[]>;
  send(input: ProducerRecord<K, V> | readonly ProducerRecord<K, V>[]): Promise<RecordMetadata | RecordMetadata[]> {
    if (this.#transactions !== undefined) {
      const id = this.#options.transactionalId;
      return Promise.reject(
        new KafkaTransactionStateError(`the producer with transactional id ${id} sends only within a transaction: await producer.transaction(), then transaction.send()`),
      );
    }
    const single = !Array.isArray(input);
    return this.#send(single ? [input as ProducerRecord<K, V>] : (input as readonly ProducerRecord<K, V>[]), single, 0);
  }

  /**
   * Begins a transaction (a transactional producer only; the first one runs
   * initTransactions). One at a time: it rejects while the last one is
   * neither committed nor aborted.
   */
  async transaction(): Promise<Transaction<K, V>> {
    if (this.#closing !== undefined) throw closedError();
    const transactions = this.#transactions;
    if (transactions === undefined) {
      throw new KafkaTransactionStateError('producer.transaction() needs a transactional producer: set the transactionalId option');
    }
    await this.connect();
    const generation = transactions.begin();
    return new Transaction<K, V>(transactions, generation, (records, single, of) => this.#send(records, single, of));
  }

  /** `transaction`: the generation of the transaction the records belong to (0: none). */
  #send(records: readonly ProducerRecord<K, V>[], single: boolean, transaction: number): Promise<RecordMetadata | RecordMetadata[]> {
    if (this.#closing !== undefined) return Promise.reject(closedError());
    const call = new SendCall(records.length, single, transaction);
    if (this.#connected) this.#append(records, 0, call, Date.now());
    else
      this.#track(
        this.connect().then(
          () => this.#append(records, 0, call, Date.now()),
          (error: unknown) => call.fail(error),
        ),
      );
    return call.promise;
  }

  /** Sends every batch now, without waiting out linger, and resolves when every record sent before has its answer. */
  async flush(): Promise<void> {
    while (this.#appending.size > 0) {
      this.#sender.flushing++;
      this.#sender.wakeup();
      try {
        await Promise.all(this.#appending);
      } finally {
        this.#sender.flushing--;
      }
    }
    const pending = [...this.#accumulator.incomplete].map((batch) => batch.completion());
    if (pending.length === 0) return;
    this.#sender.flushing++;
    this.#sender.wakeup();
    try {
      await Promise.all(pending);
    } finally {
      this.#sender.flushing--;
    }
  }

  /**
   * Sends what is queued and closes the connections; send() then fails with
   * KafkaClosedError. After `timeoutMs` (default: no limit) records not yet
   * acknowledged fail with KafkaClosedError.
   */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.#closing ??= this.#close(options.timeoutMs ?? Infinity);
    return this.#closing;
  }

  async #connect(): Promise<void> {
    await this.#cluster.connect();
    if (this.#transactions !== undefined) {
      await this.#transactions.initTransactions();
    } else if (this.#options.idempotent && !this.#idempotence.active) {
      const supported = await this.#idempotence.init(Date.now() + this.#options.maxBlockMs);
      if (!supported) {
        this.#options.client.logger.warn(
          'the brokers do not support InitProducerId: the producer runs without idempotence (a retry may write a record twice)',
          this.#options.idempotentExplicit ? { idempotent: true } : {},
        );
      }
    }
    this.#connected = true;
  }

  async #close(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      if (Number.isFinite(timeoutMs)) timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      await Promise.race([this.flush(), timedOut]);
    } finally {
      clearTimeout(timer);
      this.#stopped = true;
      this.#sender.forceClose();
      await this.#cluster.close();
    }
  }

  /**
   * Appends records[start..] to their batches, synchronously while metadata
   * and buffer memory allow; a record that must wait continues the rest
   * asynchronously, in order.
   */
  #append(records: readonly ProducerRecord<K, V>[], start: number, call: SendCall, now: number): void {
    const { keySerializer, valueSerializer } = this.#options;
    let wake = false;
    let partitions: TopicPartitions | undefined;
    try {
      this.#checkAppendable(call);
      for (let slot = start; slot < records.length; slot++) {
        if (call.settled) return;
        const record = records[slot]!;
        const topic = record.topic;
        if (partitions?.topic !== topic || this.#topicsOf !== this.#cluster.metadata) partitions = this.#topicPartitions(topic);
        if (partitions === undefined) {
          this.#track(this.#appendLater(records, slot, call, now, this.#awaitTopic(topic)));
          return;
        }
        const key = record.key === null || record.key === undefined ? null : serialized(keySerializer.serialize(record.key, topic), 'key', topic);
        const value = record.value === null ? null : serialized(valueSerializer.serialize(record.value, topic), 'value', topic);
        const headers = recordHeaders(record.headers);
        const input: RecordInput = { key, value, timestamp: timestampOf(record, now), headers };
        const size = recordSize(key, value, headers);
        this.#checkSize(size, topic);
        if (!this.#accumulator.memory.tryReserve(size)) {
          this.#sender.wakeup();
          this.#track(this.#appendLater(records, slot, call, now, this.#awaitMemory(size, topic), input, size));
          return;
        }
        wake = this.#appendOne(record, partitions, input, size, call, slot, now) || wake;
      }
    } catch (error) {
      call.fail(error);
    } finally {
      if (wake) this.#sender.wakeup();
    }
  }

  /** Resolves once no batch is queued or in flight. */
  async #settled(): Promise<void> {
    // A batch split for being too large is replaced by its halves: look again until none is left.
    while (this.#accumulator.incomplete.size > 0) await Promise.all([...this.#accumulator.incomplete].map((batch) => batch.completion()));
  }

  /** Throws when records of `call` may no longer be appended: the producer stopped, or the call's transaction ended or failed. */
  #checkAppendable(call: SendCall): void {
    if (this.#stopped) throw closedError();
    if (call.transaction > 0) this.#transactions!.checkAppend(call.transaction);
  }

  #track(appending: Promise<void>): void {
    this.#appending.add(appending);
    void appending.finally(() => this.#appending.delete(appending));
  }

  /** Waits for `ready`, appends the record it waited for (if prepared), then the rest of the call's records. */
  async #appendLater(records: readonly ProducerRecord<K, V>[], slot: number, call: SendCall, now: number, ready: Promise<void>, prepared?: RecordInput, size = 0): Promise<void> {
    try {
      await ready;
    } catch (error) {
      call.fail(error);
      return;
    }
    if (prepared !== undefined) {
      // The record's bytes are reserved: it is appended, or they are given back.
      const record = records[slot]!;
      let partitions: TopicPartitions;
      try {
        // A call failed meanwhile (by another of its records) appends nothing more.
        if (call.settled) throw new KafkaClientError('the send failed', { retriable: false });
        this.#checkAppendable(call);
        partitions = this.#topicPartitions(record.topic) ?? (await this.#awaitTopicPartitions(record.topic));
        this.#checkAppendable(call);
      } catch (error) {
        this.#accumulator.memory.release(size);
        call.fail(error);
        return;
      }
      try {
        if (this.#appendOne(record, partitions, prepared, size, call, slot, now)) this.#sender.wakeup();
      } catch (error) {
        call.fail(error);
        return;
      }
      slot++;
    }
    this.#append(records, slot, call, now);
  }

  /** Appends one prepared record (its bytes reserved, and given back if it throws); true when the sender should run (a batch closed). */
  #appendOne(record: ProducerRecord<K, V>, partitions: TopicPartitions, input: RecordInput, size: number, call: SendCall, slot: number, now: number): boolean {
    let queue: PartitionQueue;
    try {
      queue = this.#queueFor(record, partitions, input, size);
    } catch (error) {
      this.#accumulator.memory.release(size);
      throw error;
    }
    // A partition new to the transaction: AddPartitionsToTxn goes out now, while the batch lingers.
    const joined = this.#transactions?.maybeAddPartition(queue) ?? false;
    const closed = this.#accumulator.append(queue, input, size, call, slot, now);
    if (!closed && queue.batches.length === 1) this.#sender.runBy(queue.batches[0]!.createdAt + this.#options.lingerMs);
    return closed || joined;
  }

  /** The queue of the record's partition: its own, or the partitioner's choice. */
  #queueFor(record: ProducerRecord<K, V>, partitions: TopicPartitions, input: RecordInput, size: number): PartitionQueue {
    const { partitioner } = this.#options;
    const topic = partitions.topic;
    if (record.partition === undefined) {
      const partition = partitioner.partition(partitions, input.key);
      const queue = this.#accumulator.queue(topic, partition);
      if (this.#accumulator.fitsOpenBatch(queue, size)) return queue;
      // A new batch opens here: the sticky partitioner may move on first (KIP-480).
      partitioner.onNewBatch(topic, partition);
      const next = partitioner.partition(partitions, input.key);
      return next === partition ? queue : this.#accumulator.queue(topic, next);
    }
    const partition = record.partition;
    if (!Number.isInteger(partition) || partition < 0 || partition >= partitions.partitionCount) {
      throw new KafkaClientError(`partition ${partition} of ${topic} does not exist: the topic has ${partitions.partitionCount} partitions`, {
        retriable: false,
      });
    }
    return this.#accumulator.queue(topic, partition);
  }

  #checkSize(size: number, topic: string): void {
    const { maxRequestSize, bufferMemory } = this.#options;
    if (size + BATCH_HEADER_SIZE > maxRequestSize || size > bufferMemory) {
      throw new KafkaClientError(
        `a record of ${size} bytes for ${topic} is larger than ${size > bufferMemory ? `bufferMemory (${bufferMemory})` : `maxRequestSize (${maxRequestSize}) allows`}`,
        { retriable: false },
      );
    }
  }

  #topicPartitions(topic: string): TopicPartitions | undefined {
    const metadata = this.#cluster.metadata;
    if (metadata !== this.#topicsOf) {
      this.#topics.clear();
      this.#topicsOf = metadata;
    }
    let partitions = this.#topics.get(topic);
    if (partitions === undefined) {
      const known = metadata.topics.get(topic);
      if (known === undefined || known.errorCode !== 0 || known.partitions.length === 0) return undefined;
      const availablePartitions: number[] = [];
      for (const p of known.partitions) if (p !== undefined && p.leader >= 0) availablePartitions.push(p.partition);
      partitions = { topic, partitionCount: known.partitions.length, availablePartitions };
      this.#topics.set(topic, partitions);
    }
    return partitions;
  }

  /** Waits up to maxBlockMs for the topic's metadata (Kafka's waitOnMetadata). */
  async #awaitTopic(topic: string): Promise<void> {
    await withRetry(() => this.#cluster.topic(topic), {
      ...this.#options.client,
      deadline: Date.now() + this.#options.maxBlockMs,
      description: `metadata for topic ${topic} (maxBlockMs ${this.#options.maxBlockMs})`,
    });
  }

  async #awaitTopicPartitions(topic: string): Promise<TopicPartitions> {
    await this.#awaitTopic(topic);
    const partitions = this.#topicPartitions(topic);
    if (partitions === undefined) throw new KafkaClientError(`topic ${topic} has no partitions in the cluster's metadata`, { retriable: false });
    return partitions;
  }

  #awaitMemory(size: number, topic: string): Promise<void> {
    const { maxBlockMs, bufferMemory } = this.#options;
    return this.#accumulator.memory.reserve(
      size,
      maxBlockMs,
      () =>
        new KafkaTimeoutError(
          `no room for a ${size}-byte record for ${topic} in bufferMemory (${bufferMemory} bytes) within maxBlockMs (${maxBlockMs} ms): the brokers are not keeping up`,
        ),
    );
  }
}

/** A serializer's output, checked: anything but bytes would fail the whole batch later, far from its cause. */
function serialized(bytes: unknown, what: 'key' | 'value', topic: string): Buffer | null {
  if (bytes === null || bytes instanceof Uint8Array) return bytes as Buffer | null;
  throw new KafkaClientError(`the ${what} serializer returned ${typeof bytes} for a record to ${topic}; it must return a Buffer or null`, {
    retriable: false,
  });
}

function timestampOf(record: ProducerRecord<unknown, unknown>, now: number): number {
  const timestamp = record.timestamp;
  if (timestamp === undefined) return now;
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new KafkaClientError(`timestamp ${String(timestamp)} of a record to ${record.topic} is not milliseconds since the epoch (an integer >= 0)`, {
      retriable: false,
    });
  }
  return timestamp;
}

function closedError(): KafkaClosedError {
  return new KafkaClosedError('the producer is closed');
}
