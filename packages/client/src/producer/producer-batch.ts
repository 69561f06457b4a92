import { BATCH_HEADER_SIZE, type RecordInput } from '@kstream/protocol';
import { nextSequence } from './producer-sequence.js';
import type { SendCall } from './send-call.js';

/**
 * The records a producer has for one partition and will send as one
 * RecordBatch, with who is waiting for each (Kafka's ProducerBatch). Records
 * are kept as given until the batch is built, once, when it is drained; a
 * retry resends the same bytes, so an idempotent batch keeps its sequence.
 * Each record's caller is stored as runs (call, first slot, length): the
 * records of one send() call to one partition are usually consecutive, so a
 * batch holds a few runs, not an entry per record.
 */
export class ProducerBatch {
  readonly records: RecordInput[] = [];
  /** Record bytes reserved from buffer memory (the batch header is not counted). */
  recordBytes = 0;
  /** Closed for appends: full, or drained to be sent. */
  closed = false;
  /** Sends so far; a batch with attempts > 0 is a retry. */
  attempts = 0;
  /** A retry is not sent before this time (Date.now() ms). */
  retryAt = 0;
  /** The idempotence stamp the built bytes carry; producerId -1n when not idempotent. */
  producerId = -1n;
  producerEpoch = -1;
  baseSequence = -1;
  /** Why the last send failed, for the error when the batch expires. */
  lastError: unknown;
  /** The RecordBatch as sent, built at the first drain. */
  built: Buffer | undefined;
  readonly #runCalls: SendCall[] = [];
  readonly #runSlots: number[] = [];
  readonly #runLengths: number[] = [];
  #completion: { promise: Promise<void>; resolve: () => void } | undefined;
  #done = false;

  constructor(
    /** Creation order across the producer: a retried batch is put back in this order. */
    readonly id: number,
    readonly topic: string,
    readonly partition: number,
    readonly createdAt: number,
  ) {}

  get recordCount(): number {
    return this.records.length;
  }

  /** What the batch will weigh on the wire, before compression: for batch.size and max.request.size. */
  get estimatedSize(): number {
    return this.built?.length ?? BATCH_HEADER_SIZE + this.recordBytes;
  }

  append(record: RecordInput, bytes: number, call: SendCall, slot: number): void {
    this.records.push(record);
    this.recordBytes += bytes;
    const last = this.#runCalls.length - 1;
    if (last >= 0 && this.#runCalls[last] === call && this.#runSlots[last]! + this.#runLengths[last]! === slot) {
      this.#runLengths[last]!++;
      return;
    }
    this.#runCalls.push(call);
    this.#runSlots.push(slot);
    this.#runLengths.push(1);
  }

  /**
   * Two batches holding this one's records, first half and second, for a
   * broker that refused it as too large (MESSAGE_TOO_LARGE): each keeps its
   * records' callers, the attempts and creation time (deliveryTimeoutMs still
   * counts from the first send()), and its share of the idempotence stamp.
   * `sizeOf` gives each record's reserved bytes, as when it was appended.
   */
  split(sizeOf: (record: RecordInput) => number): [ProducerBatch, ProducerBatch] {
    const half = Math.ceil(this.records.length / 2);
    const parts: [ProducerBatch, ProducerBatch] = [
      new ProducerBatch(this.id, this.topic, this.partition, this.createdAt),
      new ProducerBatch(this.id, this.topic, this.partition, this.createdAt),
    ];
    let index = 0;
    for (let run = 0; run < this.#runCalls.length; run++) {
      const end = this.#runSlots[run]! + this.#runLengths[run]!;
      for (let slot = this.#runSlots[run]!; slot < end; slot++, index++) {
        const record = this.records[index]!;
        parts[index < half ? 0 : 1].append(record, sizeOf(record), this.#runCalls[run]!, slot);
      }
    }
    for (const part of parts) {
      part.closed = true;
      part.attempts = this.attempts;
      part.lastError = this.lastError;
      part.producerId = this.producerId;
      part.producerEpoch = this.producerEpoch;
    }
    if (this.baseSequence >= 0) {
      parts[0].baseSequence = this.baseSequence;
      parts[1].baseSequence = nextSequence(this.baseSequence, half);
    }
    return parts;
  }

  /** Reports every record written at `baseOffset` onwards (-1n: acks=0, no offsets). `logAppendTime` -1 keeps the records' own timestamps. */
  complete(baseOffset: bigint, logAppendTime: number): void {
    if (this.#done) return;
    let index = 0;
    const step = baseOffset < 0n ? 0n : 1n;
    let offset = baseOffset < 0n ? -1n : baseOffset;
    for (let run = 0; run < this.#runCalls.length; run++) {
      const call = this.#runCalls[run]!;
      const end = this.#runSlots[run]! + this.#runLengths[run]!;
      for (let slot = this.#runSlots[run]!; slot < end; slot++, index++, offset += step) {
        call.recordDone(slot, {
          topic: this.topic,
          partition: this.partition,
          offset,
          timestamp: logAppendTime >= 0 ? logAppendTime : (this.records[index]!.timestamp as number),
        });
      }
    }
    this.#finish();
  }

  fail(error: unknown): void {
    if (this.#done) return;
    for (const call of this.#runCalls) call.fail(error);
    this.#finish();
  }

  /** Resolves when the batch has completed or failed: what flush() waits on. */
  completion(): Promise<void> {
    if (this.#done) return Promise.resolve();
    if (this.#completion === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#completion = { promise, resolve };
    }
    return this.#completion.promise;
  }

  #finish(): void {
    this.#done = true;
    this.#completion?.resolve();
  }
}
