// kafkajs's own RecordBatch encoder and decoder, for vectors: an
// implementation written independently of ours. kafkajs ships gzip only; the
// other codecs it is given here are independent of ours too: kafkajs-snappy
// (pure-JS snappyjs) and the lz4 and zstd command-line tools, which are the
// reference C libraries librdkafka links. A codec whose tool is missing is
// left out, with the reason, so tests can skip it and say why.
import { createRequire } from 'node:module';
import { missingCommand, runCommand } from './cli.test-support.js';
import { CompressionType } from './record-batch-header.js';

const require = createRequire(import.meta.url);

interface KafkajsEncoder {
  buffer: Buffer;
}
interface KafkajsCodec {
  compress(encoder: KafkajsEncoder): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}
interface KafkajsLong {
  toString(): string;
}

const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch(batch: object): Promise<KafkajsEncoder>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (record: object) => KafkajsEncoder;
const decodeKafkajsBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (decoder: object) => Promise<KafkajsDecodedBatch>;
const Decoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => object;
const Long = require('kafkajs/src/utils/long') as { fromValue(value: bigint | number | string): KafkajsLong };
const { Codecs } = require('kafkajs/src/protocol/message/compression') as { Codecs: Record<number, () => KafkajsCodec> };
const snappyCodec = require('kafkajs-snappy') as () => KafkajsCodec;

export interface KafkajsRecordInput {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  /** kafkajs cannot encode a null header value, and repeats of a key become an array. */
  headers: Record<string, Buffer>;
}

export interface KafkajsBatchInput {
  compression: number;
  baseOffset: bigint;
  baseTimestamp: number;
  maxTimestamp: number;
  partitionLeaderEpoch: number;
  lastOffsetDelta: number;
  transactional: boolean;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  records: KafkajsRecordInput[];
}

export interface KafkajsDecodedRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | null | (Buffer | null)[]>;
  isControlRecord: boolean;
}

export interface KafkajsDecodedBatch {
  firstOffset: string;
  firstTimestamp: string;
  maxTimestamp: string;
  partitionLeaderEpoch: number;
  inTransaction: boolean;
  isControlBatch: boolean;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  records: KafkajsDecodedRecord[];
}

function cliCodec(command: string): () => KafkajsCodec {
  return () => ({
    compress: async (encoder) => runCommand(command, ['-c', '-q'], encoder.buffer),
    decompress: async (buffer) => runCommand(command, ['-d', '-c', '-q'], buffer),
  });
}

/** Why kafkajs has no independent codec for a compression type here; absent when it has one. */
export const kafkajsCodecMissing = new Map<number, string>();

Codecs[CompressionType.Snappy] = snappyCodec;
for (const [type, command] of [
  [CompressionType.Lz4, 'lz4'],
  [CompressionType.Zstd, 'zstd'],
] as const) {
  const missing = missingCommand(command);
  if (missing === undefined) Codecs[type] = cliCodec(command);
  else kafkajsCodecMissing.set(type, missing);
}

/** A batch encoded by kafkajs's RecordBatch v0 (its name for magic 2). */
export async function kafkajsEncodeBatch(batch: KafkajsBatchInput): Promise<Buffer> {
  const encoder = await RecordBatch({
    compression: batch.compression,
    firstOffset: Long.fromValue(batch.baseOffset),
    firstTimestamp: batch.baseTimestamp,
    maxTimestamp: batch.maxTimestamp,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
    lastOffsetDelta: batch.lastOffsetDelta,
    transactional: batch.transactional,
    producerId: Long.fromValue(batch.producerId),
    producerEpoch: batch.producerEpoch,
    firstSequence: batch.baseSequence,
    records: batch.records.map((record) => Record(record)),
  });
  return encoder.buffer;
}

/** A batch decoded by kafkajs (which does not check the CRC). */
export function kafkajsDecodeBatch(buf: Buffer): Promise<KafkajsDecodedBatch> {
  return decodeKafkajsBatch(new Decoder(buf));
}

/** kafkajs's pure-JS CRC32C, independent of ours. */
export const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C') as (buf: Buffer) => number;
