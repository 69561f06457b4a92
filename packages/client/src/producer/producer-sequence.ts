/** Sequences are int32 and wrap to 0 after 2^31 - 1, as Kafka's DefaultRecordBatch.incrementSequence. */
const SEQUENCE_MODULUS = 2 ** 31;

/** The sequence after `count` records from `sequence`. */
export function nextSequence(sequence: number, count: number): number {
  return (sequence + count) % SEQUENCE_MODULUS;
}
