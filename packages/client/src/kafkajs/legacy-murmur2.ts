// kafkajs 1.x's key hash, kept by kafkajs 2.x as Partitioners.LegacyPartitioner.
// It meant to be Java's murmur2 but computes in double-precision floats
// (`k *= M` instead of a 32-bit multiply, so large products lose their low
// bits), walks ceil(length / 4) words (reading past the end as zero bytes)
// and then mixes the tail bytes in again. Its partitions therefore differ
// from Java's for most keys. Topics written by kafkajs 1.x keep their key ->
// partition mapping only with this exact arithmetic, which is reproduced
// here step by step; apps/kstream/test/client-kafkajs-partitioners.test.ts
// checks it against kafkajs's own for random keys.

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/** The byte at `index`, or 0 past the end, as kafkajs's `undefined & 0xff`. */
function byteAt(data: Uint8Array, index: number): number {
  return index < data.length ? data[index]! : 0;
}

/** kafkajs's legacy murmur2 of `data`: a signed 32-bit result. */
export function legacyMurmur2(data: Uint8Array): number {
  const length = data.length;
  let h: number = SEED ^ length;
  const words = Math.ceil(length / 4);

  for (let i = 0; i < words; i++) {
    const at = i * 4;
    // A sum, not an OR: the top byte's shift is negative for bytes >= 0x80 and the sum carries that sign.
    let k: number = byteAt(data, at) + (byteAt(data, at + 1) << 8) + (byteAt(data, at + 2) << 16) + (byteAt(data, at + 3) << 24);
    k *= M;
    k ^= k >>> R;
    k *= M;
    h *= M;
    h ^= k;
  }

  const tail = length % 4;
  const whole = length & ~3;
  if (tail === 3) h ^= byteAt(data, whole + 2) << 16;
  if (tail >= 2) h ^= byteAt(data, whole + 1) << 8;
  if (tail >= 1) {
    h ^= byteAt(data, whole);
    h *= M;
  }

  h ^= h >>> 13;
  h *= M;
  h ^= h >>> 15;
  return h;
}
