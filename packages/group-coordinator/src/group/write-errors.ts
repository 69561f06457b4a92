import { ErrorCode } from '@kstream/protocol';

// What a client hears when a write to __consumer_offsets fails: Kafka's
// mapping of the log's append errors to coordinator errors
// (GroupMetadataManager's storeGroup/storeOffsets, GroupCoordinatorService's
// normalizeException), so clients retry or rediscover the coordinator.

/**
 * The coordinator error for a write that ended with the log's `errorCode`.
 * `commit`: an OffsetCommit, whose batch too large for the log is the client's
 * INVALID_COMMIT_OFFSET_SIZE; for any other write it is the server's fault.
 */
export function coordinatorWriteError(errorCode: number, commit: boolean): number {
  switch (errorCode) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
    // The append was made under a leader epoch this broker no longer leads at.
    case ErrorCode.FENCED_LEADER_EPOCH:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return commit ? ErrorCode.INVALID_COMMIT_OFFSET_SIZE : ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return errorCode;
  }
}
