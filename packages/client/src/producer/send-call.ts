import type { RecordMetadata } from './producer-record.js';

/**
 * The one promise of one send() call, however many records it carries: each
 * batch that holds some of its records reports them by slot, and the promise
 * settles when the last one is reported (or at the first failure). No promise
 * or closure per record, which is what keeps send(records[]) cheap.
 */
export class SendCall {
  readonly promise: Promise<RecordMetadata | RecordMetadata[]>;
  readonly #results: RecordMetadata[];
  #remaining: number;
  #settled = false;
  #resolve!: (value: RecordMetadata | RecordMetadata[]) => void;
  #reject!: (error: unknown) => void;

  /**
   * `single`: the call sent one record (not an array) and resolves to that
   * record's metadata alone. `transaction`: the generation of the
   * transaction it sends in (0: none).
   */
  constructor(
    count: number,
    readonly single: boolean,
    readonly transaction = 0,
  ) {
    this.#results = new Array<RecordMetadata>(count);
    this.#remaining = count;
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    if (count === 0) this.#settle();
  }

  get settled(): boolean {
    return this.#settled;
  }

  recordDone(slot: number, metadata: RecordMetadata): void {
    this.#results[slot] = metadata;
    if (--this.#remaining === 0) this.#settle();
  }

  /** Rejects the call; records of it that were already handed to batches are still sent. */
  fail(error: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(error);
  }

  #settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve(this.single ? this.#results[0]! : this.#results);
  }
}
