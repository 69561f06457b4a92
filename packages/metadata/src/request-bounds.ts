// Bounds on the work one admin request may ask for, checked before anything
// is allocated or built: the partitions a request adds (per topic, per
// request, for the whole cluster), replicas per partition, config counts and
// value sizes. The controller checks them against its state; a broker runs
// the cheap, state-free ones before it forwards a request, so an absurd one
// never crosses to the controller's thread.
import { ErrorCode } from '@kstream/protocol';
import { AdminError } from './admin-error.js';
import type { BrokerConfigValues } from './broker-configs.js';
import type { CreatableTopic } from './messages.js';
import type { MetadataState } from './metadata-state.js';
import { TOPIC_CONFIGS } from './topic-configs.js';

/** The broker configs that bound a request. */
export type RequestLimits = Pick<BrokerConfigValues, 'max.partitions' | 'max.partitions.per.request' | 'config.value.max.bytes'>;

/** How many partitions a new topic asks for: its manual assignments, else numPartitions (-1: num.partitions). */
export function requestedPartitions(topic: CreatableTopic, defaultPartitions: number): number {
  if (topic.assignments.length > 0) return topic.assignments.length;
  return topic.numPartitions === -1 ? defaultPartitions : topic.numPartitions;
}

/** One topic adds `count` partitions: INVALID_PARTITIONS when that alone is more than a request may add. */
export function checkPartitionsPerTopic(name: string, count: number, limits: RequestLimits): void {
  const limit = limits['max.partitions.per.request'];
  if (count > limit) {
    throw new AdminError(ErrorCode.INVALID_PARTITIONS, `Topic ${name}: ${count} partitions requested; one request may add at most ${limit} (max.partitions.per.request).`);
  }
}

/**
 * A request listing more topics than it may add partitions (each adds at
 * least one) is refused whole: POLICY_VIOLATION for every topic, before any
 * topic is looked at.
 */
export function checkTopicCount(api: 'CreateTopics' | 'CreatePartitions', topicCount: number, limits: RequestLimits): void {
  const limit = limits['max.partitions.per.request'];
  if (topicCount > limit) {
    throw new AdminError(
      ErrorCode.POLICY_VIOLATION,
      `${api} lists ${topicCount} topics; one request may add at most ${limit} partitions (max.partitions.per.request), at least one per topic.`,
    );
  }
}

/**
 * The cheap checks of a topic to create, which need no metadata but the
 * number of registered brokers: partition count, replication factor, replica
 * list lengths, config count and value sizes. Throws AdminError.
 */
export function checkCreatableTopicBounds(topic: CreatableTopic, limits: RequestLimits, defaultPartitions: number, brokerCount: number): void {
  checkPartitionsPerTopic(topic.name, requestedPartitions(topic, defaultPartitions), limits);
  if (topic.replicationFactor > brokerCount) throw replicationFactorTooLarge(topic.replicationFactor, brokerCount);
  checkReplicaListLengths(
    topic.name,
    topic.assignments.map((a) => a.brokerIds),
    brokerCount,
  );
  if (topic.configs.length > TOPIC_CONFIGS.size) {
    throw new AdminError(
      ErrorCode.INVALID_CONFIG,
      `Topic ${topic.name} lists ${topic.configs.length} configs; a topic has ${TOPIC_CONFIGS.size} config keys, each given at most once.`,
    );
  }
  for (const { name, value } of topic.configs) if (value !== null) checkConfigValueSize(name, value, limits);
}

/** INVALID_REPLICA_ASSIGNMENT for a manual replica list longer than there are registered brokers. */
export function checkReplicaListLengths(name: string, assignments: readonly (readonly number[])[], brokerCount: number): void {
  const tooLong = assignments.find((replicas) => replicas.length > brokerCount);
  if (tooLong !== undefined) {
    throw new AdminError(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      `The manual partition assignment of topic ${name} lists ${tooLong.length} replicas for a partition; ` + `only ${brokerCount} broker(s) are registered.`,
    );
  }
}

function replicationFactorTooLarge(replicationFactor: number, brokerCount: number): AdminError {
  return new AdminError(
    ErrorCode.INVALID_REPLICATION_FACTOR,
    `Unable to replicate the partition ${replicationFactor} time(s): the target replication factor of ${replicationFactor} ` +
      `cannot be reached because only ${brokerCount} broker(s) are registered.`,
  );
}

/** INVALID_CONFIG for a value longer than config.value.max.bytes, before anything parses it. */
export function checkConfigValueSize(name: string, value: string, limits: RequestLimits): void {
  const limit = limits['config.value.max.bytes'];
  // A UTF-16 unit is at most three UTF-8 bytes: a short string needs no count.
  if (value.length * 3 <= limit) return;
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > limit) {
    throw new AdminError(ErrorCode.INVALID_CONFIG, `The value of config ${name} is ${bytes} bytes; a config value may have at most ${limit} (config.value.max.bytes).`);
  }
}

/**
 * The partitions a request adds, counted topic by topic against
 * max.partitions.per.request and, with what the cluster holds, max.partitions.
 */
export class PartitionBudget {
  readonly #limits: RequestLimits;
  readonly #held: number;
  #added = 0;

  constructor(state: MetadataState, limits: RequestLimits) {
    this.#limits = limits;
    let held = 0;
    for (const topic of state.topics.values()) held += topic.partitions.length;
    this.#held = held;
  }

  /** Checks that topic `name` may add `count` partitions; `take` counts them once its other checks pass. */
  check(name: string, count: number): void {
    checkPartitionsPerTopic(name, count, this.#limits);
    const perRequest = this.#limits['max.partitions.per.request'];
    if (this.#added + count > perRequest) {
      throw new AdminError(
        ErrorCode.POLICY_VIOLATION,
        `Topic ${name}: ${count} partitions requested, after ${this.#added} for the topics before it in this request; ` +
          `one request may add at most ${perRequest} (max.partitions.per.request).`,
      );
    }
    const max = this.#limits['max.partitions'];
    if (this.#held + this.#added + count > max) {
      const before = this.#added > 0 ? ` and this request adds ${this.#added} before it` : '';
      throw new AdminError(
        ErrorCode.POLICY_VIOLATION,
        `Topic ${name}: ${count} partitions requested; the cluster holds ${this.#held}${before}, ` + `and allows at most ${max} (max.partitions).`,
      );
    }
  }

  take(count: number): void {
    this.#added += count;
  }
}

/** A bounds check's verdict as data: Kafka's error code and message, or undefined when the check passes. */
export function boundsProblem(check: () => void): { errorCode: number; errorMessage: string } | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof AdminError) return { errorCode: error.errorCode, errorMessage: error.message };
    throw error;
  }
}
