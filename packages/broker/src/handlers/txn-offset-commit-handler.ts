// TxnOffsetCommit v0–4
// - Answered by this broker's group coordinator for the groups whose
//   __consumer_offsets partition it leads: NOT_COORDINATOR for any other,
//   COORDINATOR_LOAD_IN_PROGRESS while that partition loads.
// - The offsets are written to __consumer_offsets as a transactional batch
//   of the producer (acks=all, bounded by offsets.commit.timeout.ms) and stay
//   pending until the transaction's marker lands there: a commit makes them
//   the group's committed offsets, an abort drops them. Until then OffsetFetch
//   with requireStable answers UNSTABLE_OFFSET_COMMIT for those partitions.
// - v3+ carries the member's generation and member id, checked as an
//   OffsetCommit's (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID).
import { TxnOffsetCommit } from '@kstream/protocol';
import { groupRequestContext } from './group-request-context.js';
import type { ApiHandler } from './handler.js';

export const txnOffsetCommitHandler: ApiHandler<typeof TxnOffsetCommit> = {
  api: TxnOffsetCommit,
  handle: (request, context) => context.broker.groups.txnOffsetCommit(request, groupRequestContext(context)),
};
