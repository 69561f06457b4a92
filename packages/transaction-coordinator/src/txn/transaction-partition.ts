// Which __transaction_state partition owns a transactional id (and which
// __consumer_offsets partition owns a group id, for AddOffsetsToTxn):
// Kafka's `Utils.abs(key.hashCode()) % partitionCount`. Clients find their
// coordinator by the same formula, so it must agree with Java bit for bit.
// The group coordinator has the same small function; the two coordinators do
// not depend on each other, so each keeps its own.

/** Java's String.hashCode over UTF-16 code units, in 32-bit two's complement. */
export function javaStringHashCode(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

/** Kafka's Utils.abs: Math.abs, except that Integer.MIN_VALUE maps to 0. */
export function kafkaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}

/** The partition, of `partitionCount`, whose leader coordinates `key`. */
export function coordinatorPartition(key: string, partitionCount: number): number {
  return kafkaAbs(javaStringHashCode(key)) % partitionCount;
}
