import { createRequire } from 'node:module';

/** The addon takes a missing or undefined `initial` as 0, as @node-rs/crc32 does. */
type Crc32cFunction = (bytes: Uint8Array, initial?: number) => number;

/**
 * The package's own addon (native/crc32c.c, built by `npm install` with
 * node-gyp): the SSE4.2 crc32 instruction over three interleaved streams,
 * 3-4.5x @node-rs/crc32's single stream on an x86-64 CPU. Without it — not
 * built, another architecture, a CPU without SSE4.2 — @node-rs/crc32.
 */
function loadAddon(): Crc32cFunction | undefined {
  try {
    // The same path from src/records and from dist/records.
    const addon = createRequire(import.meta.url)('../../build/Release/kstream_crc32c.node') as { crc32c?: Crc32cFunction };
    return addon.crc32c;
  } catch {
    return undefined;
  }
}

/** @node-rs/crc32, loaded only where the addon is missing. */
function loadFallback(): Crc32cFunction {
  const { crc32c: nodeRsCrc32c } = createRequire(import.meta.url)('@node-rs/crc32') as typeof import('@node-rs/crc32');
  return (bytes, initial = 0) => nodeRsCrc32c(bytes, initial) >>> 0;
}

const addonCrc32c = loadAddon();

/** Which implementation crc32c uses here (benchmarks print it). */
export const crc32cImplementation: 'kstream addon (SSE4.2, 3 streams)' | '@node-rs/crc32' = addonCrc32c !== undefined ? 'kstream addon (SSE4.2, 3 streams)' : '@node-rs/crc32';

/**
 * CRC32C (Castagnoli) of `bytes`, as RecordBatch v2 uses it, with the CPU's
 * CRC instruction. `initial` continues a CRC over a previous chunk.
 */
export const crc32c: Crc32cFunction = addonCrc32c ?? loadFallback();
