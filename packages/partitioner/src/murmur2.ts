// Kafka's murmur2, bit for bit as the Java client's Utils.murmur2: the hash
// every Kafka client must reproduce so that a key lands on the same partition
// whichever client produced it. Java's 32-bit int arithmetic is reproduced
// with Math.imul and `| 0`; `>>>` is Java's unsigned shift on the same bits.

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/** The signed 32-bit murmur2 hash of `data`, equal to Java's `Utils.murmur2(data)`. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const whole = length & ~3;

  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }

  const tail = length & 3;
  if (tail > 0) {
    if (tail === 3) h ^= data[whole + 2]! << 16;
    if (tail >= 2) h ^= data[whole + 1]! << 8;
    h ^= data[whole]!;
    h = Math.imul(h, M);
  }

  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * Java's `Utils.toPositive`: clears the sign bit. It is not `Math.abs`, and the
 * difference matters: Kafka's key → partition mapping depends on it.
 */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}
