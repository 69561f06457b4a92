import { ErrorCode, INITIAL_EPOCH, nextEpoch } from '@kstream/protocol';
import type { ReplicaFetchPartition, ReplicaFetchPartitionResult, ReplicaFetchRequest } from './messages.js';
import { partitionKey } from './partition.js';

/** A partition of a follower's session on its leader: what the follower last asked, and what it was last told. */
export interface SessionPartition extends ReplicaFetchPartition {
  readonly key: string;
  /** The high watermark and log start offset last sent; -1 until sent, and after an error or a change the follower asked for. */
  highWatermark: bigint;
  logStartOffset: bigint;
}

/**
 * A session partition, its fields named one by one in one order: spread from
 * the decoded request (`{ ...p, key }`), each of a session's thousands of
 * partitions had a hidden class of its own and its fields out of the object
 * (~110 bytes more each, in a heap snapshot).
 */
function sessionPartition(p: ReplicaFetchPartition, key: string, highWatermark: bigint, logStartOffset: bigint): SessionPartition {
  return {
    topic: p.topic,
    partition: p.partition,
    fetchOffset: p.fetchOffset,
    currentLeaderEpoch: p.currentLeaderEpoch,
    lastFetchedEpoch: p.lastFetchedEpoch,
    key,
    highWatermark,
    logStartOffset,
  };
}

/** Whether the follower was last told these offsets of the partition: a reply with nothing else for it leaves it out. */
export function offsetsAsTold(cached: SessionPartition, highWatermark: bigint, logStartOffset: bigint): boolean {
  return cached.highWatermark === highWatermark && cached.logStartOffset === logStartOffset;
}

/**
 * A follower's fetch session on its leader (KIP-227 for the data plane):
 * the partitions it fetches from this broker, kept here, so that each
 * ReplicaFetch names only the partitions whose fetch changed (or that it
 * adds) and the ones it forgets, and each reply carries only partitions with
 * news — records, an error, a diverging epoch, or a high watermark or log
 * start offset the follower has not been told. An idle follower's fetch of
 * thousands of partitions is then a few bytes each way. The leader still
 * reads every partition of the session on each fetch, so each records the
 * follower's position (the ISR and high watermark depend on it). Partitions
 * a reply carries move to the end, so a reply capped by maxBytes serves
 * every partition in turn. Not thread-safe; owned by the broker loop.
 */
export class ReplicaFetchSession {
  readonly partitions = new Map<string, SessionPartition>();
  /** The epoch the follower's next request must carry. */
  epoch = nextEpoch(INITIAL_EPOCH);
  #keys: readonly string[] | undefined;

  constructor(readonly id: number) {}

  /** The partitions' keys, one array until the membership changes (a parked fetch watches them). */
  get keys(): readonly string[] {
    this.#keys ??= [...this.partitions.keys()];
    return this.#keys;
  }

  /**
   * A request's partitions, added or changed. A change other than the fetch
   * offset moving forward — a truncation, a new leader epoch, a new last
   * fetched epoch — is answered in the next reply whatever the partition's
   * news: the follower's state may have gone back.
   */
  update(changed: readonly ReplicaFetchPartition[], forgotten: readonly string[]): void {
    for (const p of changed) {
      const key = partitionKey(p.topic, p.partition);
      const cached = this.partitions.get(key);
      if (cached === undefined) {
        this.partitions.set(key, sessionPartition(p, key, -1n, -1n));
        this.#keys = undefined;
        continue;
      }
      const forward = p.fetchOffset >= cached.fetchOffset && p.currentLeaderEpoch === cached.currentLeaderEpoch && p.lastFetchedEpoch === cached.lastFetchedEpoch;
      this.partitions.set(key, sessionPartition(p, key, forward ? cached.highWatermark : -1n, forward ? cached.logStartOffset : -1n));
    }
    for (const key of forgotten) {
      if (this.partitions.delete(key)) this.#keys = undefined;
    }
  }

  /** Whether a reply must carry this result: records, an error, a diverging epoch, or offsets the follower has not been told. */
  mustCarry(cached: SessionPartition, result: ReplicaFetchPartitionResult): boolean {
    return (
      result.records.byteLength > 0 || result.divergingEpoch !== null || result.errorCode !== ErrorCode.NONE || !offsetsAsTold(cached, result.highWatermark, result.logStartOffset)
    );
  }

  /**
   * A reply carries this result: what the follower is told is remembered,
   * and the partition moves to the end of the session. An error forgets the
   * offsets told, so the partition is sent again once the error clears.
   */
  carried(cached: SessionPartition, result: ReplicaFetchPartitionResult): void {
    const failed = result.errorCode !== ErrorCode.NONE;
    cached.highWatermark = failed ? -1n : result.highWatermark;
    cached.logStartOffset = failed ? -1n : result.logStartOffset;
    if (this.partitions.get(cached.key) === cached) {
      this.partitions.delete(cached.key);
      this.partitions.set(cached.key, cached);
    }
  }
}

/**
 * The leader's sessions, one per follower broker (a follower has one fetcher
 * a leader, so a new session replaces its old one: the number of sessions
 * is bounded by the brokers). Not thread-safe; owned by the broker loop.
 */
export class ReplicaFetchSessions {
  readonly #byFollower = new Map<number, ReplicaFetchSession>();
  #lastId = 0;

  /**
   * The session a request fetches in, after applying its changes, or the
   * error that refuses it: an epoch of 0 opens a new session with the
   * request's partitions (its id in the reply); a later one must name the
   * follower's session (FETCH_SESSION_ID_NOT_FOUND: this leader restarted,
   * or the follower opened another since) and carry its epoch
   * (INVALID_FETCH_SESSION_EPOCH: a request or reply was lost). Either way
   * the follower opens a new session.
   */
  sessionFor(msg: ReplicaFetchRequest): ReplicaFetchSession | number {
    if (msg.sessionEpoch === INITIAL_EPOCH) {
      this.#lastId = this.#lastId >= 0x7fffffff ? 1 : this.#lastId + 1;
      const session = new ReplicaFetchSession(this.#lastId);
      session.update(msg.partitions, []);
      this.#byFollower.set(msg.replicaId, session);
      return session;
    }
    const session = this.#byFollower.get(msg.replicaId);
    if (session === undefined || session.id !== msg.sessionId) return ErrorCode.FETCH_SESSION_ID_NOT_FOUND;
    if (session.epoch !== msg.sessionEpoch) {
      this.#byFollower.delete(msg.replicaId);
      return ErrorCode.INVALID_FETCH_SESSION_EPOCH;
    }
    session.epoch = nextEpoch(session.epoch);
    session.update(msg.partitions, msg.forgotten);
    return session;
  }

  /** The session a follower holds here, for tests and descriptions. */
  of(replicaId: number): ReplicaFetchSession | undefined {
    return this.#byFollower.get(replicaId);
  }
}
