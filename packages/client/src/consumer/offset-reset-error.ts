// autoOffsetReset 'none' means "never guess a position": these are what the
// application gets instead, naming the partition, until it seeks.
import { KafkaClientError } from '../errors/index.js';

/** The partition has no position (nothing committed, or the last was out of range) and autoOffsetReset is 'none'; Kafka's NoOffsetForPartitionException. */
export class NoOffsetForPartitionError extends KafkaClientError {
  override name = 'NoOffsetForPartitionError';

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {
    super(`no position for ${topic}-${partition} (nothing committed, or it was out of range) and autoOffsetReset is 'none': seek it to an offset`, {
      retriable: false,
    });
  }
}

/** The broker answered OFFSET_OUT_OF_RANGE for the fetch position and autoOffsetReset is 'none'; Kafka's OffsetOutOfRangeException. */
export class OffsetOutOfRangeError extends KafkaClientError {
  override name = 'OffsetOutOfRangeError';

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: bigint,
    broker: string,
  ) {
    super(`offset ${offset} of ${topic}-${partition} is out of range on ${broker} (deleted or not yet written) and autoOffsetReset is 'none': seek it to an offset`, {
      retriable: false,
    });
  }
}
