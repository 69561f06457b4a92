/**
 * Turns a key or value into the bytes a record carries, and back. A null key
 * or value is a Kafka null (a tombstone for a value) and never reaches a
 * serializer or deserializer: the producer and consumer pass it through.
 */
export interface Serializer<T> {
  /** `topic` lets one serializer write per-topic formats, as Kafka's Serializer does. */
  serialize(value: T, topic: string): Buffer | null;
}

export interface Deserializer<T> {
  deserialize(data: Buffer, topic: string): T;
}

export interface Serde<T> extends Serializer<T>, Deserializer<T> {}

/** Bytes as they are: the default for keys and values. The consumer's buffers are views of the fetched batch, not copies. */
export const bufferSerde: Serde<Buffer> = {
  serialize: (value) => value,
  deserialize: (data) => data,
};

/** UTF-8 strings, as the Java client's StringSerializer. */
export const stringSerde: Serde<string> = {
  serialize: (value) => Buffer.from(value, 'utf8'),
  deserialize: (data) => data.toString('utf8'),
};

const JSON_SERDE: Serde<unknown> = {
  serialize: (value) => Buffer.from(JSON.stringify(value), 'utf8'),
  deserialize: (data) => JSON.parse(data.toString('utf8')) as unknown,
};

/**
 * JSON text in UTF-8. `T` is what the caller expects to read back; nothing
 * checks it at run time, so validate untrusted input after deserializing.
 */
export function jsonSerde<T>(): Serde<T> {
  return JSON_SERDE as Serde<T>;
}
