import { gzipCodec } from './compression-gzip.js';
import { lz4Codec } from './compression-lz4.js';
import { snappyCodec } from './compression-snappy.js';
import { zstdCodec } from './compression-zstd.js';
import { CompressionType } from './record-batch-header.js';

/**
 * A batch compression codec: it compresses a batch's records section as a
 * whole, in the format Kafka's Java producer writes, and decompresses what
 * Kafka's clients (Java, librdkafka, kafkajs) write. Both are asynchronous:
 * the native codecs run on libuv's thread pool, off the broker's loop.
 */
export interface CompressionCodec {
  readonly name: 'gzip' | 'snappy' | 'lz4' | 'zstd';
  compress(data: Buffer): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
}

const CODECS: ReadonlyMap<number, CompressionCodec> = new Map<number, CompressionCodec>([
  [CompressionType.Gzip, gzipCodec],
  [CompressionType.Snappy, snappyCodec],
  [CompressionType.Lz4, lz4Codec],
  [CompressionType.Zstd, zstdCodec],
]);

/** The codec for a batch's compression attribute; undefined for None and for 5–7, which Kafka does not define. */
export function compressionCodec(type: number): CompressionCodec | undefined {
  return CODECS.get(type);
}

/** Kafka's name for a compression type (its `compression.type` config value). */
export function compressionName(type: number): string {
  return type === CompressionType.None ? 'none' : (CODECS.get(type)?.name ?? `unknown (${type})`);
}
