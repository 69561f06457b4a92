import { ErrorCode } from '@kstream/protocol';

// What the coordinator does with one partition's answer to a marker (Kafka's
// TransactionMarkerRequestCompletionHandler):
// - written: the partition needs no more;
// - dropped: the partition is gone (deleted topic) or cannot hold a marker;
// - fenced: the partition knows a newer producer epoch or coordinator — this
//   coordinator is stale, so it stops sending for the transaction;
// - retry: anything else, after a backoff, until written (a marker that is
//   never written leaves the transaction open on that partition).

export type MarkerOutcome = 'written' | 'dropped' | 'fenced' | 'retry';

export function markerOutcome(errorCode: number, partitionExists: boolean): MarkerOutcome {
  switch (errorCode) {
    case ErrorCode.NONE:
      return 'written';
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      return partitionExists ? 'retry' : 'dropped';
    case ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT:
      return 'dropped';
    case ErrorCode.INVALID_PRODUCER_EPOCH:
    case ErrorCode.TRANSACTION_COORDINATOR_FENCED:
      return 'fenced';
    default:
      return 'retry';
  }
}

/** The retriable answers Kafka expects from a partition (leader moves, ISR shrinks, slow replication); any other is logged as unexpected. */
export function isExpectedMarkerRetry(errorCode: number): boolean {
  switch (errorCode) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.LEADER_NOT_AVAILABLE:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
    case ErrorCode.KAFKA_STORAGE_ERROR:
    case ErrorCode.BROKER_NOT_AVAILABLE:
    case ErrorCode.NETWORK_EXCEPTION:
      return true;
    default:
      return false;
  }
}
