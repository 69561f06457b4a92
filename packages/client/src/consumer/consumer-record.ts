// A record handed to the application, decoded lazily: the fetch path only
// walks each record's varints to find where its key, value and headers lie;
// the key and value go through their deserializers, and the headers are
// parsed, on first access. A consumer that reads only values never pays for
// keys or headers, and the offset (a bigint) is built only when asked for.
import { RecordReader } from '@kstream/protocol';
import type { Deserializer } from '../serde/index.js';

export interface ConsumerRecordHeader {
  key: string;
  value: Buffer | null;
}

export interface ConsumerRecord<K = Buffer, V = Buffer> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** Milliseconds since the epoch: the producer's (CreateTime) or the broker's (LogAppendTime). */
  readonly timestamp: number;
  /** The partition leader epoch of the batch the record came in; -1 when unknown. */
  readonly leaderEpoch: number;
  readonly key: K | null;
  readonly value: V | null;
  readonly headers: readonly ConsumerRecordHeader[];
}

/** One partition's records from one fetch response, in offset order. */
export interface ConsumerBatch<K = Buffer, V = Buffer> {
  topic: string;
  partition: number;
  records: ConsumerRecord<K, V>[];
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
}

/** What every record of one partition's fetched data shares. */
export interface RecordSource<K, V> {
  readonly topic: string;
  readonly partition: number;
  readonly keyDeserializer: Deserializer<K>;
  readonly valueDeserializer: Deserializer<V>;
}

/** What every record of one Kafka record batch shares: its (decompressed) records section and header fields. */
export class FetchedRecordBatch<K, V> {
  constructor(
    readonly source: RecordSource<K, V>,
    /** The records section the records' positions point into. */
    readonly section: Buffer,
    readonly baseOffset: bigint,
    readonly leaderEpoch: number,
  ) {}
}

const NOT_DECODED: unique symbol = Symbol('not decoded');
const NO_HEADERS: readonly ConsumerRecordHeader[] = Object.freeze([]);

export class FetchedRecord<K = Buffer, V = Buffer> implements ConsumerRecord<K, V> {
  #offset: bigint | undefined;
  #key: K | null | typeof NOT_DECODED = NOT_DECODED;
  #value: V | null | typeof NOT_DECODED = NOT_DECODED;
  #headers: readonly ConsumerRecordHeader[] | undefined;

  constructor(
    private readonly batch: FetchedRecordBatch<K, V>,
    private readonly offsetDelta: number,
    readonly timestamp: number,
    /** Start of the key in the batch's section, and its length (-1: null). */
    private readonly keyStart: number,
    private readonly keyLength: number,
    private readonly valueStart: number,
    private readonly valueLength: number,
    /** Where the headers start (after the header count) and how many there are. */
    private readonly headersStart: number,
    private readonly headerCount: number,
    private readonly recordEnd: number,
  ) {}

  get topic(): string {
    return this.batch.source.topic;
  }

  get partition(): number {
    return this.batch.source.partition;
  }

  get leaderEpoch(): number {
    return this.batch.leaderEpoch;
  }

  get offset(): bigint {
    return (this.#offset ??= this.batch.baseOffset + BigInt(this.offsetDelta));
  }

  get key(): K | null {
    if (this.#key === NOT_DECODED) {
      const { source, section } = this.batch;
      this.#key = this.keyLength < 0 ? null : source.keyDeserializer.deserialize(section.subarray(this.keyStart, this.keyStart + this.keyLength), source.topic);
    }
    return this.#key;
  }

  get value(): V | null {
    if (this.#value === NOT_DECODED) {
      const { source, section } = this.batch;
      this.#value = this.valueLength < 0 ? null : source.valueDeserializer.deserialize(section.subarray(this.valueStart, this.valueStart + this.valueLength), source.topic);
    }
    return this.#value;
  }

  get headers(): readonly ConsumerRecordHeader[] {
    return (this.#headers ??= this.#readHeaders());
  }

  #readHeaders(): readonly ConsumerRecordHeader[] {
    if (this.headerCount === 0) return NO_HEADERS;
    const reader = new RecordReader(this.batch.section, this.headersStart, this.recordEnd, this.batch.baseOffset);
    reader.recordIndex = this.offsetDelta;
    const headers: ConsumerRecordHeader[] = new Array(this.headerCount);
    for (let h = 0; h < this.headerCount; h++) {
      const key = reader.string('header key');
      headers[h] = { key, value: reader.nullableBytes('header value') };
    }
    if (reader.remaining !== 0) reader.fail('bad-record-length', `${reader.remaining} bytes follow the ${this.headerCount} headers`);
    return headers;
  }

  /** For console.log and JSON: the decoded fields, not the lazy machinery. */
  toJSON(): object {
    return {
      topic: this.topic,
      partition: this.partition,
      offset: this.offset.toString(),
      timestamp: this.timestamp,
      leaderEpoch: this.leaderEpoch,
      key: this.key,
      value: this.value,
      headers: this.headers,
    };
  }
}
