// Errors this package raises. The two placement errors carry Kafka's error
// codes so the controller can answer CreateTopics / CreatePartitions with
// them as they are; the codes are defined here because this package depends
// on nothing (not even @kstream/protocol, which owns the full table).

/** Kafka's INVALID_PARTITIONS: a partition count that is not positive, or not above a topic's current count. */
export class InvalidPartitionsError extends Error {
  static readonly code = 37;
  readonly code = InvalidPartitionsError.code;
  override readonly name = 'InvalidPartitionsError';
}

/** Kafka's INVALID_REPLICATION_FACTOR: a replication factor below 1 or above the number of live brokers. */
export class InvalidReplicationFactorError extends Error {
  static readonly code = 38;
  readonly code = InvalidReplicationFactorError.code;
  override readonly name = 'InvalidReplicationFactorError';

  constructor(
    readonly replicationFactor: number,
    readonly brokerCount: number,
  ) {
    super(
      replicationFactor < 1
        ? `Replication factor must be larger than 0, got ${replicationFactor}.`
        : `Replication factor: ${replicationFactor} larger than available brokers: ${brokerCount}.`,
    );
  }
}

/**
 * A record sent to a partition its topic does not have. The Java producer
 * refuses it before sending ("Invalid partition given with record"); so do we,
 * rather than let the broker answer UNKNOWN_TOPIC_OR_PARTITION.
 */
export class PartitionOutOfRangeError extends RangeError {
  override readonly name = 'PartitionOutOfRangeError';

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly partitionCount: number,
  ) {
    super(`Invalid partition given with record for topic "${topic}": ${partition} is not in the range [0...${partitionCount}).`);
  }
}
