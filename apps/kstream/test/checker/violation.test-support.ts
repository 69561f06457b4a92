// One broken rule found by the checker, with what a reader needs to find it
// again: the rule, the partition, the offset and the value involved.

export type Rule =
  /** An acknowledged record is missing from its acknowledged offset in the final log. */
  | 'acknowledgedLost'
  /** A produce refused before appending left its record in the log. */
  | 'definiteFailureAppended'
  /** A producer's acknowledged records on a partition have offsets out of the order they were acknowledged in. */
  | 'acknowledgedReordered'
  /** A record was acknowledged below one acknowledged before it was sent (by any producer): the log went back. */
  | 'acknowledgedBelowEarlier'
  /** A consumer read a record that is not at that offset in the final log. */
  | 'readVanished'
  /** A value is stored at two offsets. */
  | 'duplicated'
  /** A value no producer sent is in the log. */
  | 'unknownValue'
  /** Two replicas hold different records at one offset below their high watermarks. */
  | 'replicasDiverge'
  /** An in-sync replica's bytes differ from the leader's below the high watermark. */
  | 'replicaNotIdentical';

export interface Violation {
  readonly rule: Rule;
  readonly partition: number;
  readonly offset: bigint | null;
  readonly value: string | null;
  readonly message: string;
}
