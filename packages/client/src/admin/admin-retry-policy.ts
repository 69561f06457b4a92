// Which per-item errors a batch call tries again. Kafka's flag says whether
// an error can pass with time; these say when the Admin client waits for it.
import { ErrorCode } from '@kstream/protocol';
import { KafkaProtocolError } from '../errors/index.js';
import type { KafkaClientError } from '../errors/index.js';
import type { AdminContext } from './admin-call.js';

/**
 * UNKNOWN_TOPIC_OR_PARTITION is an answer, not a wait, for a call that names
 * a topic (describe it, delete it, read its configs): the topic does not
 * exist, as Kafka's AdminClient reports at once. Other errors retry by their
 * own flag.
 */
export function finalUnknownTopic(_item: unknown, error: KafkaClientError): boolean {
  return error.retriable && !hasCode(error, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
}

export function hasCode(error: KafkaClientError, code: number): boolean {
  return error instanceof KafkaProtocolError && error.code === code;
}

/**
 * A call the controller answers (CreateTopics, DeleteTopics, ElectLeaders,
 * ...) is tried again only where Kafka's AdminClient tries it again: the
 * controller moved (NOT_CONTROLLER) or could not be reached or found (the
 * next attempt looks it up in fresh metadata), or a quota asked to slow down.
 * Other errors are final, even retriable ones: a CreateTopics that timed out
 * on the broker may still have created the topic.
 */
export function controllerRetry(context: AdminContext) {
  return (_item: unknown, error: KafkaClientError): boolean => {
    const lookAgain = hasCode(error, ErrorCode.NOT_CONTROLLER) || (error.retriable && !(error instanceof KafkaProtocolError));
    if (lookAgain) {
      // A failed refresh is not this item's error: the next lookup fails with its own, and is retried.
      context.controllerRefresh ??= context.cluster.refreshMetadata().catch(() => undefined);
    }
    return lookAgain || hasCode(error, ErrorCode.THROTTLING_QUOTA_EXCEEDED);
  };
}

/**
 * A call a group's coordinator answers: tried again while the coordinator
 * moves or loads (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE: the next
 * attempt finds it afresh; COORDINATOR_LOAD_IN_PROGRESS: it will answer
 * soon) or cannot be reached.
 */
export function coordinatorRetry<I>(context: AdminContext, groupIdOf: (item: I) => string) {
  return (item: I, error: KafkaClientError): boolean => {
    if (!error.retriable) return false;
    const moved = hasCode(error, ErrorCode.NOT_COORDINATOR) || hasCode(error, ErrorCode.COORDINATOR_NOT_AVAILABLE) || !(error instanceof KafkaProtocolError);
    if (moved) context.cluster.invalidateCoordinator('group', groupIdOf(item));
    return true;
  };
}
