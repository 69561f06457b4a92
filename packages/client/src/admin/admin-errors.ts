// The errors only the Admin client raises. Every batch call (createTopics,
// describeGroups, listOffsets, ...) has one shape: it resolves with one
// result per item, in the order asked, when every item succeeded; otherwise
// it rejects with an AdminBatchError listing every item that failed (each a
// KafkaProtocolError naming its topic, partition or group, or the error that
// kept the item from an answer) and carrying the results of those that did
// succeed. Calls that are not per item (listTopics, describeCluster, a
// group's committed offsets) throw their error itself: a KafkaProtocolError,
// or KafkaRetriesExhaustedError when a retriable one outlasted the call's
// deadline. Bad arguments throw KafkaConfigError, a closed admin
// KafkaClosedError.
import { KafkaClientError } from '../errors/index.js';
import type { KafkaRetriesExhaustedError } from '../errors/index.js';

/** One failed item of a batch call: what it was, and why. */
export interface AdminItemFailure {
  /** The item as the caller would name it: "orders", "orders-3", "group billing", "topic orders". */
  readonly item: string;
  readonly error: KafkaClientError;
}

export class AdminBatchError<R = unknown> extends KafkaClientError {
  override readonly name = 'AdminBatchError';

  constructor(
    /** Kafka's API name: 'CreateTopics', 'ListOffsets', ... */
    readonly api: string,
    readonly failures: readonly AdminItemFailure[],
    /** The results of the items that succeeded, in the order asked. */
    readonly succeeded: readonly R[],
    /** Set when some items still failed retriably as the call's deadline or retries ran out. */
    readonly exhausted?: KafkaRetriesExhaustedError,
  ) {
    const listed = failures.map((f) => `${f.item}: ${f.error.message}`).join('; ');
    const total = failures.length + succeeded.length;
    const gaveUp = exhausted === undefined ? '' : ` (gave up retrying: ${exhausted.message})`;
    super(`${api} failed for ${failures.length} of ${total} ${total === 1 ? 'item' : 'items'}: ${listed}${gaveUp}`, {
      // Worth retrying the call only when every failure could pass with time.
      retriable: failures.every((f) => f.error.retriable),
      cause: failures[0]?.error,
    });
  }

  /** The failure of one item, by the name AdminItemFailure.item gives it. */
  failureOf(item: string): KafkaClientError | undefined {
    return this.failures.find((f) => f.item === item)?.error;
  }
}

/**
 * resetGroupOffsets refuses a group that still has members, as Kafka's
 * kafka-consumer-groups tool does: a live member would overwrite the reset
 * with its next commit.
 */
export class KafkaGroupNotEmptyError extends KafkaClientError {
  override readonly name = 'KafkaGroupNotEmptyError';

  constructor(
    readonly groupId: string,
    /** Kafka's group state: 'Stable', 'PreparingRebalance', 'CompletingRebalance'. */
    readonly state: string,
    readonly members: number,
  ) {
    super(
      `group ${groupId}: offsets can only be reset while the group is inactive (Empty or Dead), ` +
        `but it is ${state} with ${members} ${members === 1 ? 'member' : 'members'}; stop its consumers first`,
      { retriable: false },
    );
  }
}
