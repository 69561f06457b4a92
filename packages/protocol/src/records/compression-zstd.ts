import type { CompressionCodec } from './compression.js';
import { zstdFrames } from './compression-zstd-frame.js';

/** zstd's default level, which Kafka's producer also uses unless compression.zstd.level says otherwise. */
const LEVEL = 3;
/** Refuse frames that could inflate past this: the wasm heap is 32-bit and a batch this large is an attack or corruption. */
const MAX_FRAME_CONTENT = 1 << 30;

type ZstdWasm = typeof import('@bokuweb/zstd-wasm');
let ready: Promise<ZstdWasm> | undefined;

/** The module is loaded and its wasm instantiated once, on first use: a broker worker that never meets a zstd batch does not pay for it at start. */
function initialized(): Promise<ZstdWasm> {
  ready ??= import('@bokuweb/zstd-wasm').then(async (zstd) => {
    await zstd.init();
    return zstd;
  });
  return ready;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

async function decompressFrames(data: Buffer): Promise<Buffer> {
  const { decompress } = await initialized();
  const parts = zstdFrames(data).map((frame) => {
    if (frame.maxSize > MAX_FRAME_CONTENT) {
      throw new Error(`zstd: frame at byte ${frame.start} may inflate to ${frame.maxSize} bytes, over the ${MAX_FRAME_CONTENT} limit`);
    }
    if (frame.maxSize === 0) return Buffer.alloc(0);
    try {
      return asBuffer(decompress(data.subarray(frame.start, frame.end), { defaultHeapSize: frame.maxSize }));
    } catch (error) {
      throw new Error(`zstd: frame at byte ${frame.start} does not decompress (${(error as Error).message})`);
    }
  });
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * zstd (Kafka 2.1+, KIP-110) through the reference library compiled to wasm.
 * Compression writes one frame that declares its content size; decompression
 * also takes the streamed frames of Kafka's Java producer and librdkafka,
 * which do not, several frames, and skippable frames.
 */
export const zstdCodec: CompressionCodec = {
  name: 'zstd',
  compress: async (data) => {
    const { compress } = await initialized();
    return asBuffer(compress(data, LEVEL));
  },
  decompress: decompressFrames,
};
