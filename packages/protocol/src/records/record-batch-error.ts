/** What was wrong with a batch that could not be decoded. */
export type CorruptRecordBatchReason =
  /** The bytes end before the batch, a record or a field does. */
  | 'truncated'
  /** batchLength is below the fixed header's size. */
  | 'bad-length'
  /** Not a RecordBatch v2: magic 0 and 1 are the legacy message sets. */
  | 'bad-magic'
  | 'bad-crc'
  /** recordCount is negative or larger than the records' bytes could hold. */
  | 'bad-record-count'
  /** A record's length prefix disagrees with the bytes its fields take. */
  | 'bad-record-length'
  /** A varint longer than 5 bytes or a varlong longer than 10, or a value outside what it may carry. */
  | 'varint-overflow'
  /** A length below -1, or -1 where null is not allowed (a header key). */
  | 'negative-length'
  /** Bytes left over after the last record the batch declares. */
  | 'trailing-bytes'
  /** Compression bits 5–7, which no Kafka version defines. */
  | 'unknown-compression'
  /** The codec rejected the records' bytes. */
  | 'bad-compressed-data'
  /** A control record's key or value is shorter than its version needs, or has a negative version. */
  | 'bad-control-record';

/**
 * A RecordBatch whose bytes cannot be trusted, as Kafka's
 * CorruptRecordException (error code CORRUPT_MESSAGE). The message names the
 * batch's base offset and where in it decoding stopped, so a corrupt log or a
 * misbehaving client can be found.
 */
export class CorruptRecordBatchError extends Error {
  override readonly name = 'CorruptRecordBatchError';

  constructor(
    readonly reason: CorruptRecordBatchReason,
    detail: string,
    /** The batch's base offset, when its header could be read. */
    readonly baseOffset?: bigint,
    options?: { cause?: unknown },
  ) {
    super(`${baseOffset === undefined ? 'record batch' : `record batch at base offset ${baseOffset}`}: ${detail} (${reason})`, options);
  }
}
