import type { CompressionCodec } from './compression.js';

// The native module loads on first use: a broker worker that never meets an
// lz4 batch does not pay for it at start.
let lz4: Promise<typeof import('lz4-napi')> | undefined;
const loadLz4 = () => (lz4 ??= import('lz4-napi'));

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
  compress: async (data) => (await loadLz4()).compressFrame(data),
  decompress: async (data) => (await loadLz4()).decompressFrame(data),
};
