import { ErrorCode } from '@kstream/protocol';

// What a client hears when a write to __transaction_state fails: Kafka's
// mapping of the log's append errors to coordinator errors
// (TransactionStateManager.appendTransactionToLog), so clients retry
// (COORDINATOR_NOT_AVAILABLE) or rediscover the coordinator (NOT_COORDINATOR).

export function transactionWriteError(errorCode: number): number {
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
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return errorCode;
  }
}
