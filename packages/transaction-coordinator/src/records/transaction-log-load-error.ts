/**
 * Bytes of __transaction_state that cannot be loaded: a batch with a bad CRC
 * or length, a record without a key, a key or value that is no version of
 * Kafka's format, a status Kafka does not define. Names the partition (when
 * the caller gave it) and the offset of the batch or record.
 */
export class TransactionLogLoadError extends Error {
  override readonly name = 'TransactionLogLoadError';

  constructor(
    detail: string,
    /** Offset of the record, or base offset of the batch, that failed. */
    readonly offset: bigint,
    readonly partition: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(`__transaction_state${partition === undefined ? '' : `-${partition}`} at offset ${offset}: ${detail}`, options);
  }
}
