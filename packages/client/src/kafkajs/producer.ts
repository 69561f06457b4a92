import { InitProducerId } from '@kstream/protocol';
import { ClusterClient } from '../cluster/index.js';
import type { ClientOptions } from '../options/index.js';
import { Producer as ClientProducer, type Acks, type ProducerOptions, type ProducerRecord as ClientRecord } from '../producer/index.js';
import type { ClientContext } from './client-context.js';
import { KAFKAJS_RETRY_DEFAULTS } from './config.js';
import { compressionName, type CompressionTypes } from './constants.js';
import { KafkaJSError, KafkaJSNonRetriableError, KafkaJSServerDoesNotSupportApiKey } from './errors.js';
import { afterRetries, rethrowAsKafkaJS, toKafkaJSError } from './errors-mapping.js';
import { InstrumentationEmitter, type InstrumentationEvent } from './instrumentation.js';
import type { Logger } from './logger.js';
import { isBuiltInPartitioner, nativePartitionerFor, type PartitionerArgs, type PartitionMetadata } from './partitioners.js';
import { clientRecord, recordMetadataPerPartition, validateTopicMessages, type KafkaJSBytes } from './producer-messages.js';
import { KafkaJSTransaction } from './producer-transaction.js';
import type { Producer, ProducerBatch, ProducerConfig, ProducerEvents, ProducerRecord, RecordMetadata, TopicMessages, Transaction } from './types-producer.js';

const PRODUCER_EVENTS: ProducerEvents = {
  CONNECT: 'producer.connect',
  DISCONNECT: 'producer.disconnect',
  REQUEST: 'producer.network.request',
  REQUEST_TIMEOUT: 'producer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'producer.network.request_queue_size',
};

const passThrough = { serialize: (value: KafkaJSBytes) => (typeof value === 'string' ? Buffer.from(value) : value) };

type KafkaJSAcks = -1 | 0 | 1;

/**
 * kafkajs's producer on the client's Producer. kafkajs takes acks and
 * compression per send, the client per producer, so there is one client
 * producer per (acks, compression) pair a program uses, made on first use;
 * a program that always sends with the same settings has exactly one.
 * Every send is sent at once (lingerMs 0), as kafkajs sends each call,
 * though sends made while a request is in flight are batched together.
 * With a transactionalId, transaction() runs on one more client producer,
 * the transactional one, made at the first transaction; plain sends keep
 * going through the others, as kafkajs sends them outside the transaction.
 */
export class KafkaJSProducer implements Producer {
  readonly events = PRODUCER_EVENTS;
  readonly #context: ClientContext;
  readonly #config: ProducerConfig;
  readonly #logger: Logger;
  readonly #emitter: InstrumentationEmitter<ProducerEvents>;
  readonly #producers = new Map<string, Promise<ClientProducer<KafkaJSBytes, KafkaJSBytes>>>();
  #transactional: Promise<ClientProducer<KafkaJSBytes, KafkaJSBytes>> | undefined;
  #transaction: KafkaJSTransaction | undefined;
  readonly #customPartitioner: ((args: PartitionerArgs) => number) | undefined;
  #options: ClientOptions | undefined;
  #metadata: ClusterClient | undefined;
  #connecting: Promise<void> | undefined;

  constructor(context: ClientContext, config: ProducerConfig = {}) {
    this.#context = context;
    this.#config = config;
    this.#logger = context.logger.namespace('Producer');
    this.#emitter = new InstrumentationEmitter(PRODUCER_EVENTS, this.#logger);
    this.#customPartitioner = isBuiltInPartitioner(config.createPartitioner) ? undefined : config.createPartitioner!();
  }

  async connect(): Promise<void> {
    this.#connecting ??= this.#connect();
    try {
      await this.#connecting;
    } catch (error) {
      await this.#closeAll().catch(() => {});
      rethrowAsKafkaJS(error);
    }
    this.#emitter.emit(PRODUCER_EVENTS.CONNECT, null);
  }

  async #connect(): Promise<void> {
    this.#options = await this.#context.clientOptions(this.#logger, this.#config.retry, {
      maxInFlightRequests: this.#config.maxInFlightRequests,
      metadataMaxAge: this.#config.metadataMaxAge,
    });
    if (this.#customPartitioner !== undefined) {
      // A kafkajs partitioner is handed the partitions' metadata and the whole message, so it runs here, before the client's producer.
      this.#metadata = new ClusterClient(this.#options);
      await this.#metadata.connect();
    }
    await this.#producerFor(-1, undefined);
  }

  async disconnect(): Promise<void> {
    try {
      await this.#closeAll();
    } catch (error) {
      rethrowAsKafkaJS(error);
    }
    this.#emitter.emit(PRODUCER_EVENTS.DISCONNECT, null);
  }

  async #closeAll(): Promise<void> {
    const producers = [...this.#producers.values()];
    if (this.#transactional !== undefined) producers.push(this.#transactional);
    const closing = producers.map((producer) =>
      producer.then(
        (p) => p.close(),
        () => undefined,
      ),
    );
    if (this.#metadata !== undefined) closing.push(this.#metadata.close());
    this.#producers.clear();
    this.#transactional = undefined;
    this.#transaction = undefined;
    this.#metadata = undefined;
    this.#connecting = undefined;
    await Promise.all(closing);
  }

  isIdempotent(): boolean {
    return this.#config.idempotent === true;
  }

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    const { topic, messages, ...settings } = record;
    return this.sendBatch({ ...settings, topicMessages: [{ topic, messages }] });
  }

  async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    const acks = acksOf(batch.acks);
    const topicMessages = batch.topicMessages ?? [];
    validateTopicMessages(topicMessages);
    if (this.isIdempotent() && acks !== -1) {
      throw new KafkaJSNonRetriableError("Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees");
    }
    await this.#checkConnected();
    try {
      const records = await this.#records(topicMessages);
      if (records.length === 0) return [];
      const results = await (await this.#producerFor(acks, batch.compression)).send(records);
      return recordMetadataPerPartition(results, acks);
    } catch (error) {
      throw afterRetries(toKafkaJSError(error), this.#retries());
    }
  }

  /**
   * Begins a transaction (initTransactions at the first); kafkajs's checks
   * and messages: a transactional id is needed, and one transaction at a time.
   */
  async transaction(): Promise<Transaction> {
    const { transactionalId } = this.#config;
    if (!transactionalId) throw new KafkaJSNonRetriableError('Must provide transactional id for transactional producer');
    await this.#checkConnected();
    if (this.#transaction?.isActive()) {
      throw new KafkaJSNonRetriableError('There is already an ongoing transaction for this producer. Please end the transaction before beginning another.');
    }
    let producer = this.#transactional;
    if (producer === undefined) {
      const connecting = (producer = this.#connectTransactional(transactionalId));
      this.#transactional = connecting;
      connecting.catch(() => {
        if (this.#transactional === connecting) this.#transactional = undefined;
      });
    }
    try {
      const transaction = await (await producer).transaction();
      this.#transaction = new KafkaJSTransaction(transaction, (topicMessages) => this.#records(topicMessages), this.#retries());
      return this.#transaction;
    } catch (error) {
      throw afterRetries(toKafkaJSError(error), this.#retries());
    }
  }

  /** kafkajs's check, before any retry: a send needs a connected producer (connect() reports its own failure). */
  async #checkConnected(): Promise<void> {
    const connecting = this.#connecting;
    const connected =
      connecting !== undefined &&
      (await connecting.then(
        () => true,
        () => false,
      ));
    // A disconnect while this send waited counts too: no client producer may be made again behind its back.
    if (!connected || this.#connecting !== connecting) throw new KafkaJSError('The producer is disconnected');
  }

  #retries(): number {
    return this.#config.retry?.retries ?? this.#context.config.retry?.retries ?? KAFKAJS_RETRY_DEFAULTS.retries;
  }

  /** The client's records for kafkajs messages, partitioned here when the program has its own partitioner. */
  async #records(topicMessages: readonly TopicMessages[]): Promise<ClientRecord<KafkaJSBytes, KafkaJSBytes>[]> {
    const records = [];
    for (const { topic, messages } of topicMessages) {
      const partitions = this.#customPartitioner === undefined ? undefined : await this.#partitionMetadata(topic);
      for (const message of messages) {
        const partition = partitions === undefined ? undefined : this.#customPartitioner!({ topic, partitionMetadata: partitions, message });
        records.push(clientRecord(topic, message, partition));
      }
    }
    return records;
  }

  /**
   * The transactional client producer: acks all, idempotent; a transaction's
   * sends are not compressed (kafkajs chooses compression per send, a
   * transactional id has one producer).
   */
  async #connectTransactional(transactionalId: string): Promise<ClientProducer<KafkaJSBytes, KafkaJSBytes>> {
    const options: ProducerOptions<KafkaJSBytes, KafkaJSBytes> = {
      ...this.#options!,
      keySerializer: passThrough,
      valueSerializer: passThrough,
      acks: 'all',
      lingerMs: 0,
      transactionalId,
    };
    if (this.#config.transactionTimeout !== undefined) options.transactionTimeoutMs = this.#config.transactionTimeout;
    const partitioner = nativePartitionerFor(this.#config.createPartitioner);
    if (partitioner !== undefined) options.partitioner = partitioner;
    const producer = new ClientProducer(options);
    try {
      await producer.connect();
    } catch (error) {
      await producer.close();
      throw error;
    }
    return producer;
  }

  on(eventName: string, listener: (event: InstrumentationEvent<any>) => void): () => void {
    return this.#emitter.on(eventName, listener);
  }

  logger(): Logger {
    return this.#logger;
  }

  async #partitionMetadata(topic: string): Promise<PartitionMetadata[]> {
    const metadata = await this.#metadata!.topic(topic);
    return metadata.partitions.map((p) => ({
      partitionErrorCode: p.errorCode,
      partitionId: p.partition,
      leader: p.leader,
      replicas: p.replicas,
      isr: p.isr,
      offlineReplicas: p.offline,
    }));
  }

  /** The client producer for a pair, made and connected on first use. */
  #producerFor(acks: KafkaJSAcks, compression: CompressionTypes | undefined): Promise<ClientProducer<KafkaJSBytes, KafkaJSBytes>> {
    const codec = compressionName(compression);
    const id = `${acks}/${codec}`;
    let producer = this.#producers.get(id);
    if (producer === undefined) {
      const options: ProducerOptions<KafkaJSBytes, KafkaJSBytes> = {
        ...this.#options!,
        keySerializer: passThrough,
        valueSerializer: passThrough,
        acks: acks as Acks,
        idempotent: this.isIdempotent(),
        compression: codec,
        lingerMs: 0,
      };
      const partitioner = nativePartitionerFor(this.#config.createPartitioner);
      if (partitioner !== undefined) options.partitioner = partitioner;
      producer = this.#connectProducer(new ClientProducer(options));
      this.#producers.set(id, producer);
      producer.catch(() => this.#producers.delete(id));
    }
    return producer;
  }

  async #connectProducer(producer: ClientProducer<KafkaJSBytes, KafkaJSBytes>): Promise<ClientProducer<KafkaJSBytes, KafkaJSBytes>> {
    await producer.connect();
    // The client producer runs without idempotence (and warns) where brokers lack InitProducerId; kafkajs refuses to connect, and so does this.
    if (this.isIdempotent() && !producer.idempotent) {
      await producer.close();
      throw new KafkaJSServerDoesNotSupportApiKey('The Kafka server does not support InitProducerId, which an idempotent producer needs', {
        apiKey: InitProducerId.apiKey,
        apiName: 'InitProducerId',
      });
    }
    return producer;
  }
}

function acksOf(acks: number | undefined): KafkaJSAcks {
  if (acks === undefined) return -1;
  if (acks === -1 || acks === 0 || acks === 1) return acks;
  throw new KafkaJSNonRetriableError(`Invalid acks ${acks}; allowed: -1 (all in-sync replicas), 0 or 1`);
}
