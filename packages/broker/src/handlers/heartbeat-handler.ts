// Heartbeat v0–4
// - Answered by this broker's group coordinator for the groups whose
//   __consumer_offsets partition it leads: NOT_COORDINATOR for any other,
//   COORDINATOR_LOAD_IN_PROGRESS while that partition loads.
// - Keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to
//   rejoin; ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID (v3+).
import { Heartbeat } from '@kstream/protocol';
import { groupRequestContext } from './group-request-context.js';
import type { ApiHandler } from './handler.js';

export const heartbeatHandler: ApiHandler<typeof Heartbeat> = {
  api: Heartbeat,
  handle: (request, context) => context.broker.groups.heartbeat(request, groupRequestContext(context)),
};
