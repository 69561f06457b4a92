import { murmur2, toPositive } from './murmur2.js';

/** A record key as a producer hands it over: serialized bytes, or a string sent as UTF-8. */
export type RecordKey = Uint8Array | string;

const utf8 = new TextEncoder();

/** The bytes a key is sent (and hashed) as: strings are UTF-8, as the Java client's StringSerializer. */
export function keyBytes(key: RecordKey): Uint8Array {
  return typeof key === 'string' ? utf8.encode(key) : key;
}

/**
 * The partition a keyed record goes to: `toPositive(murmur2(key)) % partitionCount`,
 * the Java client's choice, so a key maps to the same partition from any client.
 * All partitions count, available or not: a key's partition must not move when a
 * leader is briefly missing.
 */
export function partitionForKey(key: RecordKey, partitionCount: number): number {
  if (!Number.isInteger(partitionCount) || partitionCount < 1) {
    throw new RangeError(`partitionForKey: partition count must be a positive integer, got ${partitionCount}`);
  }
  return toPositive(murmur2(keyBytes(key))) % partitionCount;
}
