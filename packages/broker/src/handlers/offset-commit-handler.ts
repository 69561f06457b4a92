// OffsetCommit v0–9
// - Answered by this broker's group coordinator for the groups whose
//   __consumer_offsets partition it leads: NOT_COORDINATOR for any other,
//   COORDINATOR_LOAD_IN_PROGRESS while that partition loads.
// - The offsets are written to __consumer_offsets (acks=all, bounded by
//   offsets.commit.timeout.ms) before the answer; each partition is
//   answered with the write's error code.
// - A member's commit is checked against the group's generation
//   (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS,
//   FENCED_INSTANCE_ID); generation -1 without a member id is a simple
//   commit from a consumer outside any group.
// - Metadata over offset.metadata.max.bytes is OFFSET_METADATA_TOO_LARGE;
//   a topic this broker's metadata does not know, UNKNOWN_TOPIC_OR_PARTITION.
import { OffsetCommit } from '@kstream/protocol';
import { groupRequestContext } from './group-request-context.js';
import type { ApiHandler } from './handler.js';

export const offsetCommitHandler: ApiHandler<typeof OffsetCommit> = {
  api: OffsetCommit,
  handle: (request, context) => context.broker.groups.offsetCommit(request, groupRequestContext(context)),
};
