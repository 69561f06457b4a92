// SyncGroup v0–5
// - Answered by this broker's group coordinator for the groups whose
//   __consumer_offsets partition it leads: NOT_COORDINATOR for any other,
//   COORDINATOR_LOAD_IN_PROGRESS while that partition loads.
// - The leader's assignments are written to __consumer_offsets (acks=all)
//   before any member is answered; each member gets its own assignment.
// - ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS,
//   FENCED_INSTANCE_ID (v3+), INCONSISTENT_GROUP_PROTOCOL (v5+: a protocol
//   type or name other than the group's).
import { SyncGroup } from '@kstream/protocol';
import { groupRequestContext } from './group-request-context.js';
import type { ApiHandler } from './handler.js';

export const syncGroupHandler: ApiHandler<typeof SyncGroup> = {
  api: SyncGroup,
  handle: (request, context) => context.broker.groups.syncGroup(request, groupRequestContext(context)),
};
