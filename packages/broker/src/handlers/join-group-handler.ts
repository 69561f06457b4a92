// JoinGroup v0–9
// - Answered by this broker's group coordinator for the groups whose
//   __consumer_offsets partition it leads: NOT_COORDINATOR for any other,
//   COORDINATOR_LOAD_IN_PROGRESS while that partition loads.
// - A member's join waits for the rebalance to complete: up to the
//   rebalance timeout (v0: the session timeout), and for a new group
//   group.initial.rebalance.delay.ms for more members. From v4 a member
//   without an id is answered MEMBER_ID_REQUIRED with the id to join with.
// - INVALID_SESSION_TIMEOUT outside group.min/max.session.timeout.ms,
//   GROUP_MAX_SIZE_REACHED past group.max.size, INCONSISTENT_GROUP_PROTOCOL
//   when no protocol is common to the members, INVALID_GROUP_ID for an
//   empty group id.
// - The member keeps the header's clientId and clientHost ("/" + its IP),
//   as DescribeGroups shows them.
import { JoinGroup } from '@kstream/protocol';
import { groupRequestContext } from './group-request-context.js';
import type { ApiHandler } from './handler.js';

export const joinGroupHandler: ApiHandler<typeof JoinGroup> = {
  api: JoinGroup,
  handle: (request, context) => context.broker.groups.joinGroup(request, groupRequestContext(context)),
};
