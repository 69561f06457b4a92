/** Kafka's UnifiedLog.UnknownOffset: a follower's log end offset before its first fetch from this leader. */
export const UNKNOWN_OFFSET = -1n;

/**
 * What a leader knows of one follower replica (Kafka's Replica): its log end
 * offset, the fetch offset of its last fetch, and when it was last caught
 * up. Not thread-safe; owned by the partition's broker loop.
 */
export class FollowerReplica {
  logEndOffset = UNKNOWN_OFFSET;
  /** The last time the follower had fetched up to the leader's log end offset of the moment. */
  lastCaughtUpTimeMs = 0;
  /** The leader's log end offset when the follower last fetched, and when that was. */
  lastFetchLeaderLogEndOffset = UNKNOWN_OFFSET;
  lastFetchTimeMs = 0;

  constructor(readonly brokerId: number) {}

  /**
   * A fetch at `fetchOffset` (the follower's log end offset) when the
   * leader's was `leaderEndOffset` (Kafka's updateFetchState): the follower
   * is caught up as of now if it fetched at the leader's end, or as of its
   * previous fetch if it fetched at least the end the leader had then — it
   * has everything the leader had at that time.
   */
  updateFetchState(fetchOffset: bigint, fetchTimeMs: number, leaderEndOffset: bigint): void {
    if (fetchOffset >= leaderEndOffset) {
      this.lastCaughtUpTimeMs = Math.max(this.lastCaughtUpTimeMs, fetchTimeMs);
    } else if (fetchOffset >= this.lastFetchLeaderLogEndOffset) {
      this.lastCaughtUpTimeMs = Math.max(this.lastCaughtUpTimeMs, this.lastFetchTimeMs);
    }
    this.logEndOffset = fetchOffset;
    this.lastFetchLeaderLogEndOffset = leaderEndOffset;
    this.lastFetchTimeMs = fetchTimeMs;
  }

  /**
   * A new leadership starts knowing nothing of the follower's log (Kafka's
   * resetReplicaState); a follower the ISR already holds counts as caught up
   * now, so it is not dropped before it could fetch.
   */
  reset(nowMs: number, leaderEndOffset: bigint, inSync: boolean): void {
    this.logEndOffset = UNKNOWN_OFFSET;
    this.lastCaughtUpTimeMs = inSync ? nowMs : 0;
    this.lastFetchLeaderLogEndOffset = leaderEndOffset;
    this.lastFetchTimeMs = nowMs;
  }

  /** In sync for the ISR: at the leader's end, or caught up within `replicaLagTimeMaxMs` (replica.lag.time.max.ms). */
  isCaughtUp(leaderEndOffset: bigint, nowMs: number, replicaLagTimeMaxMs: number): boolean {
    return this.logEndOffset === leaderEndOffset || nowMs - this.lastCaughtUpTimeMs <= replicaLagTimeMaxMs;
  }
}
