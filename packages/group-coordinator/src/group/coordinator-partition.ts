// Which partition of a coordinator topic owns a group id or transactional id:
// Kafka's `Utils.abs(key.hashCode()) % partitionCount`. Clients, tools and
// operators compute the same formula to find a group's coordinator, so it
// must agree with Java bit for bit.

/**
 * Java's String.hashCode: s[0]·31^(n-1) + … + s[n-1] in 32-bit two's
 * complement, over UTF-16 code units (a character outside the BMP counts as
 * its two surrogates), which is what charCodeAt yields.
 */
export function javaStringHashCode(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

/**
 * Kafka's Utils.abs: Math.abs, except that Integer.MIN_VALUE (whose Math.abs
 * is itself) maps to 0. Not `n & 0x7fffffff` (Utils.toPositive, the
 * producer partitioner's), which differs for every other negative number.
 */
export function kafkaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}

/** The partition, of `partitionCount`, whose leader coordinates `key`. */
export function coordinatorPartition(key: string, partitionCount: number): number {
  return kafkaAbs(javaStringHashCode(key)) % partitionCount;
}
