// kafkajs messages as the client's producer records, and the client's
// per-record results as kafkajs's per-partition RecordMetadata.
import type { ProducerRecord as ClientRecord, RecordMetadata as ClientMetadata } from '../producer/index.js';
import { KafkaJSNonRetriableError } from './errors.js';
import type { IHeaders, Message, RecordMetadata, TopicMessages } from './types-producer.js';

export type KafkaJSBytes = Buffer | string;

/** kafkajs's checks before a send, with its messages. */
export function validateTopicMessages(topicMessages: readonly TopicMessages[]): void {
  for (const { topic, messages } of topicMessages) {
    if (!topic) throw new KafkaJSNonRetriableError('Invalid topic');
    if (!Array.isArray(messages)) {
      throw new KafkaJSNonRetriableError(`Invalid messages array [${String(messages)}] for topic "${topic}"`);
    }
    for (const message of messages) {
      if (message.value === undefined) {
        throw new KafkaJSNonRetriableError(`Invalid message without value for topic "${topic}": ${JSON.stringify(message)}`);
      }
    }
  }
}

/** The client's record for a kafkajs message; `partition` is the custom partitioner's choice when there is one. */
export function clientRecord(topic: string, message: Message, partition: number | undefined): ClientRecord<KafkaJSBytes, KafkaJSBytes> {
  const record: ClientRecord<KafkaJSBytes, KafkaJSBytes> = { topic, key: message.key ?? null, value: message.value };
  const chosen = partition ?? message.partition;
  if (chosen !== undefined && chosen !== null) record.partition = chosen;
  if (message.timestamp !== undefined && message.timestamp !== null) record.timestamp = timestampOf(topic, message.timestamp);
  if (message.headers !== undefined) record.headers = headerList(message.headers);
  return record;
}

function timestampOf(topic: string, timestamp: string | number): number {
  const ms = Number(timestamp);
  if (!Number.isSafeInteger(ms)) {
    throw new KafkaJSNonRetriableError(`Invalid timestamp ${JSON.stringify(timestamp)} for topic "${topic}": milliseconds since the epoch, as a string`);
  }
  return ms;
}

/** kafkajs headers: an array value is the same key repeated, in order; undefined values are dropped. */
function headerList(headers: IHeaders): { key: string; value: KafkaJSBytes }[] {
  const list: { key: string; value: KafkaJSBytes }[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const one of value) list.push({ key, value: one });
    else list.push({ key, value });
  }
  return list;
}

/**
 * One entry per partition written, in the order partitions first appear,
 * as a Produce response lists them: baseOffset is the partition's first
 * offset in this send. acks=0 gets no answer from Kafka, so none (kafkajs
 * returns [] too). logAppendTime is -1 for CreateTime topics, as Kafka
 * sends it; the client's results do not carry the log start offset, so it is '-1'.
 */
export function recordMetadataPerPartition(results: readonly ClientMetadata[], acks: number): RecordMetadata[] {
  if (acks === 0) return [];
  type Written = { topicName: string; partition: number; base: bigint };
  const written: Written[] = [];
  // By topic, then partition: no key string made per record.
  const byTopic = new Map<string, Map<number, Written>>();
  for (const result of results) {
    let partitions = byTopic.get(result.topic);
    if (partitions === undefined) byTopic.set(result.topic, (partitions = new Map()));
    const seen = partitions.get(result.partition);
    if (seen === undefined) {
      const entry = { topicName: result.topic, partition: result.partition, base: result.offset };
      partitions.set(result.partition, entry);
      written.push(entry);
    } else if (result.offset < seen.base) seen.base = result.offset;
  }
  return written.map(({ topicName, partition, base }) => ({
    topicName,
    partition,
    errorCode: 0,
    baseOffset: String(base),
    logAppendTime: '-1',
    logStartOffset: '-1',
  }));
}
