import type { ProducerRecord as ClientRecord, Transaction as ClientTransaction, TransactionOffset } from '../producer/index.js';
import { KafkaJSNonRetriableError } from './errors.js';
import { afterRetries, toKafkaJSError } from './errors-mapping.js';
import { recordMetadataPerPartition, validateTopicMessages, type KafkaJSBytes } from './producer-messages.js';
import type { Offsets, ProducerBatch, ProducerRecord, RecordMetadata, TopicMessages, Transaction } from './types-producer.js';

/** How the producer turns kafkajs messages into the client's records (its custom partitioner runs there). */
export type RecordsOf = (topicMessages: readonly TopicMessages[]) => Promise<ClientRecord<KafkaJSBytes, KafkaJSBytes>[]>;

/**
 * kafkajs's Transaction on the client's: sends are idempotent (acks -1
 * only, as kafkajs requires), sendOffsets takes kafkajs's offsets (strings,
 * by topic), and once committed or aborted every call rejects with
 * kafkajs's "Cannot continue to use transaction once ended".
 */
export class KafkaJSTransaction implements Transaction {
  readonly #transaction: ClientTransaction<KafkaJSBytes, KafkaJSBytes>;
  readonly #recordsOf: RecordsOf;
  readonly #retries: number;

  constructor(transaction: ClientTransaction<KafkaJSBytes, KafkaJSBytes>, recordsOf: RecordsOf, retries: number) {
    this.#transaction = transaction;
    this.#recordsOf = recordsOf;
    this.#retries = retries;
  }

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    const { topic, messages, ...settings } = record;
    return this.sendBatch({ ...settings, topicMessages: [{ topic, messages }] });
  }

  async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    this.#checkActive();
    if (batch.acks !== undefined && batch.acks !== -1) {
      throw new KafkaJSNonRetriableError("Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees");
    }
    const topicMessages = batch.topicMessages ?? [];
    validateTopicMessages(topicMessages);
    try {
      const records = await this.#recordsOf(topicMessages);
      if (records.length === 0) return [];
      return recordMetadataPerPartition(await this.#transaction.send(records), -1);
    } catch (error) {
      throw afterRetries(toKafkaJSError(error), this.#retries);
    }
  }

  async sendOffsets({ consumerGroupId, topics }: Offsets & { consumerGroupId: string }): Promise<void> {
    this.#checkActive();
    const offsets: TransactionOffset[] = [];
    for (const { topic, partitions } of topics) {
      for (const { partition, offset } of partitions) {
        if (!/^\d+$/.test(String(offset))) throw new KafkaJSNonRetriableError(`Invalid offset ${JSON.stringify(offset)} for ${topic}-${partition}: a string of digits`);
        offsets.push({ topic, partition, offset: BigInt(offset) });
      }
    }
    await this.#call(() => this.#transaction.sendOffsets({ groupId: consumerGroupId, offsets }));
  }

  async commit(): Promise<void> {
    this.#checkActive();
    await this.#call(() => this.#transaction.commit());
  }

  async abort(): Promise<void> {
    this.#checkActive();
    await this.#call(() => this.#transaction.abort());
  }

  isActive(): boolean {
    return this.#transaction.isActive();
  }

  #checkActive(): void {
    if (!this.#transaction.isActive()) throw new KafkaJSNonRetriableError('Cannot continue to use transaction once ended');
  }

  async #call(operation: () => Promise<void>): Promise<void> {
    try {
      await operation();
    } catch (error) {
      throw afterRetries(toKafkaJSError(error), this.#retries);
    }
  }
}
