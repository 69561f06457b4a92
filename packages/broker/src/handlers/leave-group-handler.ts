// LeaveGroup v0–5
// - Answered by this broker's group coordinator for the groups whose
//   __consumer_offsets partition it leads: NOT_COORDINATOR for any other,
//   COORDINATOR_LOAD_IN_PROGRESS while that partition loads.
// - v0–2: the one member of `memberId`; v3+: a batch of members (by member
//   id or group.instance.id), each answered on its own. A member leaving a
//   group with others starts a rebalance.
import { LeaveGroup } from '@kstream/protocol';
import { groupRequestContext } from './group-request-context.js';
import type { ApiHandler } from './handler.js';

export const leaveGroupHandler: ApiHandler<typeof LeaveGroup> = {
  api: LeaveGroup,
  handle: (request, context) => context.broker.groups.leaveGroup(request, groupRequestContext(context)),
};
