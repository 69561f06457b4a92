/**
 * Bytes of __consumer_offsets that cannot be loaded: a batch with a bad CRC
 * or length, a record whose key or value is no version of Kafka's format.
 * Names the partition (when the caller gave it) and the offset of the batch
 * or record, so the bad spot can be found with a dump of the log.
 */
export class CoordinatorLoadError extends Error {
  override readonly name = 'CoordinatorLoadError';

  constructor(
    detail: string,
    /** Offset of the record, or base offset of the batch, that failed. */
    readonly offset: bigint,
    readonly partition: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(`__consumer_offsets${partition === undefined ? '' : `-${partition}`} at offset ${offset}: ${detail}`, options);
  }
}
