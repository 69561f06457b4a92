import { ErrorCode } from '@kstream/protocol';
import { CorruptRecordError, KafkaStorageError, LogClosedError, OffsetOutOfRangeError, ProducerStateError } from '@kstream/log-storage';

/** A partition-level failure with Kafka's error code, answered in that partition's slot of the response. */
export class PartitionError extends Error {
  override readonly name = 'PartitionError';
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The Kafka error code a failed partition operation answers with. Storage
 * errors of the log map as log-storage documents them (a producer-state
 * refusal carries its own code); a log closed under a
 * request (its topic was deleted, the broker is stopping) means this broker
 * no longer serves the partition. Anything else is a bug: UNKNOWN_SERVER_ERROR.
 */
export function errorCodeOf(error: unknown): number {
  if (error instanceof PartitionError || error instanceof ProducerStateError) return error.errorCode;
  if (error instanceof CorruptRecordError) return ErrorCode.CORRUPT_MESSAGE;
  if (error instanceof OffsetOutOfRangeError) return ErrorCode.OFFSET_OUT_OF_RANGE;
  if (error instanceof KafkaStorageError) return ErrorCode.KAFKA_STORAGE_ERROR;
  if (error instanceof LogClosedError) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  return ErrorCode.UNKNOWN_SERVER_ERROR;
}

/** The message a response may carry (Produce v8+): the error's own, which names the partition and the limit. */
export function errorMessageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
