import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/**
 * CRC32C (Castagnoli) of `bytes`, as RecordBatch v2 uses it. Backed by a
 * native implementation that uses the CPU's CRC instruction where present.
 * `initial` continues a CRC over a previous chunk.
 */
export function crc32c(bytes: Uint8Array, initial = 0): number {
  return nativeCrc32c(bytes, initial) >>> 0;
}
