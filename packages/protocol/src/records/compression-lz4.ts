import { compressFrame, decompressFrame } from 'lz4-napi';
import type { CompressionCodec } from './compression.js';

/**
 * LZ4 in the LZ4 frame format (magic 0x184D2204), as Kafka has used since
 * message format v1 (KIP-57). lz4-napi's frames (lz4_flex) use independent
 * blocks without checksums and a block size picked from the input (64 KiB to
 * 4 MiB), which Kafka's KafkaLZ4BlockInputStream and librdkafka both read;
 * decompression accepts any standard frame: linked blocks, block and content
 * checksums, a content size.
 */
export const lz4Codec: CompressionCodec = {
  name: 'lz4',
  compress: (data) => compressFrame(data),
  decompress: (data) => decompressFrame(data),
};
