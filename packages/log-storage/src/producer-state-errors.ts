/**
 * An append refused by the partition's producer state: a sequence gap
 * (OUT_OF_ORDER_SEQUENCE_NUMBER), an old epoch (INVALID_PRODUCER_EPOCH),
 * a marker from a fenced coordinator (TRANSACTION_COORDINATOR_FENCED), a
 * batch that breaks its producer's transaction (INVALID_TXN_STATE), or more
 * than one batch from an idempotent producer in one append (INVALID_RECORD).
 * `errorCode` is Kafka's; the message names the partition, the producer and
 * the numbers that disagree.
 */
export class ProducerStateError extends Error {
  override readonly name = 'ProducerStateError';

  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}
