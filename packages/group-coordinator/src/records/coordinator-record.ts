// The records of __consumer_offsets as the coordinator reads and writes them:
// Kafka's own key and value structs, one record per committed offset and per
// group. Field names are Kafka's (OffsetCommitValue, GroupMetadataValue).

export interface OffsetCommitKey {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
}

/** OffsetCommitValue: leaderEpoch -1 = none; expireTimestamp -1n = none (written only by value v1). */
export interface OffsetAndMetadata {
  readonly offset: bigint;
  readonly leaderEpoch: number;
  readonly metadata: string;
  readonly commitTimestamp: bigint;
  readonly expireTimestamp: bigint;
}

/**
 * An offset commit as a coordinator holds it: the value and the log offset of
 * the record that carried it (Kafka's CommitRecordMetadataAndOffset). When a
 * transaction commits, its offset of a partition replaces the committed one
 * only if its record came later in the log, so a plain commit written after
 * the transactional one wins, as it would on a reload.
 */
export interface OffsetAndMetadataAt extends OffsetAndMetadata {
  readonly recordOffset: bigint;
}

export interface MemberMetadataValue {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly rebalanceTimeout: number;
  readonly sessionTimeout: number;
  readonly subscription: Uint8Array;
  readonly assignment: Uint8Array;
}

export interface GroupMetadataValue {
  readonly protocolType: string;
  readonly generation: number;
  readonly protocol: string | null;
  readonly leader: string | null;
  /** -1n: none. */
  readonly currentStateTimestamp: bigint;
  readonly members: readonly MemberMetadataValue[];
}

/** One record of __consumer_offsets; value null = tombstone (offset deleted / group deleted). */
export type CoordinatorRecord =
  | { readonly type: 'offset'; readonly key: OffsetCommitKey; readonly value: OffsetAndMetadata | null }
  | { readonly type: 'group'; readonly group: string; readonly value: GroupMetadataValue | null };
