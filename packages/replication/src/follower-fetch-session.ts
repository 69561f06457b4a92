import { ErrorCode, INITIAL_EPOCH, INVALID_SESSION_ID, nextEpoch } from '@kstream/protocol';
import type { ReplicaFetchPartition, ReplicaFetchReply, ReplicaFetchRequest } from './messages.js';
import type { Partition } from './partition.js';

/** A partition a follower fetches in a session: what the leader's session holds for it is the fetch last sent. */
export interface SessionMember {
  readonly partition: Partition;
  readonly leaderEpoch: number;
  /** The fetch last sent for it in this session; undefined before. */
  sent: ReplicaFetchPartition | undefined;
  /** The request it was last fetched in (FollowerFetchSession's count). */
  sentIn: number;
}

/** A ReplicaFetch's session fields and partitions. */
export type SessionRequest = Pick<ReplicaFetchRequest, 'sessionId' | 'sessionEpoch' | 'partitions' | 'forgotten'>;

/**
 * The follower's half of a fetch session with one leader (Kafka's
 * FetchSessionHandler; the leader's half is ReplicaFetchSession): it builds
 * each request from the partitions to fetch now — all of them when the
 * request opens a session; after that the ones added or whose fetch offset,
 * leader epoch or last fetched epoch changed, and the ones no longer fetched
 * (forgotten) — and finds the partition each result of a reply answers.
 * A reply that refuses the session, or an ask that fails (the request or
 * its reply may be lost), resets it: the next request opens a new one. Not
 * thread-safe; owned by the fetcher's loop.
 */
export class FollowerFetchSession<M extends SessionMember> {
  #id = INVALID_SESSION_ID;
  #epoch = INITIAL_EPOCH;
  /** The requests built, counting: a member not fetched in the latest is forgotten by it. */
  #requests = 0;
  /** The partitions in the leader's session, by `topic-partition`. */
  readonly #members = new Map<string, M>();

  get id(): number {
    return this.#id;
  }

  /** The next request's session fields and partitions, for the partitions to fetch now (each its partition's own). */
  build(fetching: readonly M[]): SessionRequest {
    const request = ++this.#requests;
    const opening = this.#epoch === INITIAL_EPOCH;
    if (opening) this.#members.clear();
    const partitions: ReplicaFetchPartition[] = [];
    for (const member of fetching) {
      const { partition } = member;
      const fetchOffset = partition.logEndOffset;
      const lastFetchedEpoch = partition.log.leaderEpochCache.latestEpoch() ?? -1;
      const { sent } = member;
      member.sentIn = request;
      if (
        !opening &&
        sent !== undefined &&
        this.#members.get(partition.name) === member &&
        sent.fetchOffset === fetchOffset &&
        sent.currentLeaderEpoch === member.leaderEpoch &&
        sent.lastFetchedEpoch === lastFetchedEpoch
      ) {
        continue;
      }
      member.sent = { topic: partition.topic, partition: partition.partition, fetchOffset, currentLeaderEpoch: member.leaderEpoch, lastFetchedEpoch };
      this.#members.set(partition.name, member);
      partitions.push(member.sent);
    }
    const forgotten: string[] = [];
    if (!opening) {
      for (const [key, member] of this.#members) {
        if (member.sentIn === request) continue;
        this.#members.delete(key);
        forgotten.push(key);
      }
    }
    return { sessionId: this.#id, sessionEpoch: this.#epoch, partitions, forgotten };
  }

  /** The reply to the last request built: false (and the session reset) when the leader refused the session. */
  replied(reply: ReplicaFetchReply): boolean {
    if (reply.errorCode !== ErrorCode.NONE) {
      this.reset();
      return false;
    }
    this.#id = reply.sessionId;
    this.#epoch = nextEpoch(this.#epoch);
    return true;
  }

  /** The partition a result answers, with the fetch that was sent for it; undefined if the session no longer holds it. */
  member(key: string): M | undefined {
    return this.#members.get(key);
  }

  /** The next request opens a new session. */
  reset(): void {
    this.#id = INVALID_SESSION_ID;
    this.#epoch = INITIAL_EPOCH;
    this.#members.clear();
  }
}
