// The client's fetched records as kafkajs's messages and batches.
import type { ConsumerBatch, ConsumerRecord } from '../consumer/index.js';
import type { IHeaders } from './types-producer.js';
import type { Batch, KafkaMessage } from './types-consumer.js';

/**
 * kafkajs's message for a record. Offsets and timestamps are strings, as
 * kafkajs has them; a header key sent more than once holds an array, in
 * order. Records carry no per-record attributes in Kafka's v2 format
 * beyond zero, which is what kafkajs reports for them.
 */
export function kafkaMessage(record: ConsumerRecord<Buffer, Buffer>): KafkaMessage {
  return {
    key: record.key,
    value: record.value,
    timestamp: String(record.timestamp),
    attributes: 0,
    offset: String(record.offset),
    headers: headersObject(record.headers),
  };
}

function headersObject(headers: readonly { key: string; value: Buffer | null }[]): IHeaders {
  const object: IHeaders = {};
  for (const { key, value } of headers) {
    // kafkajs hands a null header value over as null; IHeaders does not say so, the wire does.
    const one = value as Buffer;
    const seen = object[key];
    if (seen === undefined) object[key] = one;
    else if (Array.isArray(seen)) seen.push(one);
    else object[key] = [seen, one];
  }
  return object;
}

/** kafkajs's Batch for a fetched batch; the lag figures are against the high watermark, as kafkajs computes them. */
export function kafkaBatch(batch: ConsumerBatch<Buffer, Buffer>): Batch {
  const messages = batch.records.map(kafkaMessage);
  const highWatermark = batch.highWatermark;
  const first = batch.records[0]?.offset;
  const last = batch.records.at(-1)?.offset ?? highWatermark - 1n;
  return {
    topic: batch.topic,
    partition: batch.partition,
    highWatermark: String(highWatermark),
    messages,
    isEmpty: () => messages.length === 0,
    firstOffset: () => (first === undefined ? null : String(first)),
    lastOffset: () => String(last),
    offsetLag: () => String(highWatermark - 1n - last),
    offsetLagLow: () => (first === undefined ? '0' : String(highWatermark - 1n - first)),
  };
}
