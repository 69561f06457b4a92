import { UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET, type EpochEndOffset } from '@kstream/log-storage';

/** What the follower knows of its own log for the decision. */
export interface FollowerLogView {
  readonly logEndOffset: bigint;
  readonly highWatermark: bigint;
  /** Its own OffsetForLeaderEpoch answer: the largest epoch <= the one asked it knows, and where it ends. */
  endOffsetForEpoch(epoch: number): EpochEndOffset;
}

/** Where to truncate, and whether the follower may fetch after it or must ask the leader again (an intermediate step). */
export interface TruncationDecision {
  readonly offset: bigint;
  readonly complete: boolean;
}

/**
 * Where a follower truncates given the leader's answer for its latest epoch
 * (Kafka's AbstractFetcherThread.getOffsetTruncationState, KIP-101/279):
 * - the leader knows no such epoch: to the follower's high watermark;
 * - the leader answers an epoch the follower also has: to the lower of the
 *   two logs' end offsets for it;
 * - an epoch the follower does not have: to the end of the follower's
 *   largest epoch below it, and ask again — so two leader changes in a row
 *   are walked back one epoch at a time;
 * - a follower with no epoch that low: to the leader's end offset.
 * Never beyond the follower's log end offset.
 */
export function truncationOffset(leader: EpochEndOffset, follower: FollowerLogView): TruncationDecision {
  const leo = follower.logEndOffset;
  if (leader.endOffset === UNDEFINED_EPOCH_OFFSET) return { offset: min(follower.highWatermark, leo), complete: true };
  if (leader.epoch === UNDEFINED_EPOCH) return { offset: min(leader.endOffset, leo), complete: true };
  const own = follower.endOffsetForEpoch(leader.epoch);
  if (own.epoch === UNDEFINED_EPOCH || own.endOffset === UNDEFINED_EPOCH_OFFSET) return { offset: min(leader.endOffset, leo), complete: true };
  if (own.epoch !== leader.epoch) return { offset: min(own.endOffset, leo), complete: false };
  return { offset: min(min(own.endOffset, leader.endOffset), leo), complete: true };
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
