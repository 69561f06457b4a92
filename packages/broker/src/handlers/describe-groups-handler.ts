// DescribeGroups v0–5
// - Answered by this broker's group coordinator for the groups whose
//   __consumer_offsets partition it leads: NOT_COORDINATOR for any other,
//   COORDINATOR_LOAD_IN_PROGRESS while that partition loads; each group on
//   its own.
// - State, protocol type and name, members with their clientId, clientHost,
//   metadata and assignment (group.instance.id v4+); an unknown group is
//   Dead with no members (v0–5 have no GROUP_ID_NOT_FOUND).
import { DescribeGroups } from '@kstream/protocol';
import { groupRequestContext } from './group-request-context.js';
import type { ApiHandler } from './handler.js';

export const describeGroupsHandler: ApiHandler<typeof DescribeGroups> = {
  api: DescribeGroups,
  handle: (request, context) => context.broker.groups.describeGroups(request, groupRequestContext(context)),
};
