// What brokers ask each other over the channel of their pair (the data plane
// of replication): a follower's fetch from its leader and its question of
// where an epoch ends. Plain objects, msgpack-able; offsets are bigints
// (the actor codec keeps them). A ReplicaFetch reply's record bytes cross
// the channel transferred (replyWithTransfer), not copied.

/** A partition a follower fetches, at its log end offset. */
export interface ReplicaFetchPartition {
  readonly topic: string;
  readonly partition: number;
  /** The follower's log end offset: where the leader reads from, and what it records as the follower's position. */
  readonly fetchOffset: bigint;
  /** The leader epoch the follower follows: FENCED_LEADER_EPOCH if older than the leader's, UNKNOWN_LEADER_EPOCH if newer. */
  readonly currentLeaderEpoch: number;
  /** The epoch of the follower's last batch (-1: none); the leader answers divergingEpoch if it ends earlier there. */
  readonly lastFetchedEpoch: number;
}

/**
 * Kafka's follower Fetch, in a fetch session (KIP-227, see
 * ReplicaFetchSession): long-polled until data is appended. The request
 * that opens a session lists every partition this broker follows from the
 * asked leader; the ones after it only those added or whose fetch changed,
 * and the ones it no longer fetches.
 */
export interface ReplicaFetchRequest {
  readonly type: 'ReplicaFetch';
  readonly replicaId: number;
  /** The session the request fetches in; 0 when it opens one. */
  readonly sessionId: number;
  /** 0 opens a new session (any old one of this follower is dropped); then the epoch after the last request's. */
  readonly sessionEpoch: number;
  /** replica.fetch.wait.max.ms: how long the leader parks the fetch while it has nothing new. */
  readonly maxWaitMs: number;
  /** replica.fetch.response.max.bytes (the first batch comes whole). */
  readonly maxBytes: number;
  /** replica.fetch.max.bytes, per partition. */
  readonly partitionMaxBytes: number;
  /** The partitions added to the session or whose fetch changed (all of them when it opens). */
  readonly partitions: readonly ReplicaFetchPartition[];
  /** The `topic-partition` keys the session drops. */
  readonly forgotten: readonly string[];
}

export interface ReplicaFetchPartitionResult {
  readonly topic: string;
  readonly partition: number;
  /** NONE, OFFSET_OUT_OF_RANGE, NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, UNKNOWN_TOPIC_OR_PARTITION, KAFKA_STORAGE_ERROR. */
  readonly errorCode: number;
  /** -1 when the error leaves the leader's offsets unknown. */
  readonly highWatermark: bigint;
  readonly logStartOffset: bigint;
  readonly logEndOffset: bigint;
  /** Set when the follower's log diverges: truncate to the end of this epoch (as OffsetsForLeaderEpoch would answer) first. */
  readonly divergingEpoch: { readonly epoch: number; readonly endOffset: bigint } | null;
  /** Whole batches from the fetch offset, as the leader's log holds them. */
  readonly records: Uint8Array;
}

export interface ReplicaFetchReply {
  /** NONE, or why the session was refused (FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH): the follower opens a new one. */
  readonly errorCode: number;
  /** The session fetched in (the new one's id when the request opened it). */
  readonly sessionId: number;
  /** The partitions of the session with news: all of them in the reply that opens it. */
  readonly partitions: readonly ReplicaFetchPartitionResult[];
}

/** A follower asks where the leader's log ends for its latest epoch (KIP-101/279), before fetching under a new leader or epoch. */
export interface OffsetsForLeaderEpochRequest {
  readonly type: 'OffsetsForLeaderEpoch';
  readonly replicaId: number;
  readonly partitions: readonly { readonly topic: string; readonly partition: number; readonly currentLeaderEpoch: number; readonly leaderEpoch: number }[];
}

export interface OffsetsForLeaderEpochResult {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  /** The largest epoch <= the one asked that the leader knows, or -1 (UNDEFINED_EPOCH). */
  readonly leaderEpoch: number;
  /** Where that epoch ends in the leader's log (the next epoch's start, or its log end offset), or -1. */
  readonly endOffset: bigint;
}

export interface OffsetsForLeaderEpochReply {
  readonly partitions: readonly OffsetsForLeaderEpochResult[];
}

export type ReplicaRequest = ReplicaFetchRequest | OffsetsForLeaderEpochRequest;

export interface ReplicaReplies {
  ReplicaFetch: ReplicaFetchReply;
  OffsetsForLeaderEpoch: OffsetsForLeaderEpochReply;
}

/**
 * The channels to the other brokers as replication needs them (the broker's
 * PeerLinks): ask broker `brokerId`, with a timeout; the reply's buffers may
 * arrive transferred. Rejects when there is no channel, it closes, or no
 * answer comes in time.
 */
export interface ReplicaPeers {
  ask<M extends ReplicaRequest>(brokerId: number, msg: M, options: { timeoutMs: number }): Promise<ReplicaReplies[M['type']]>;
}
