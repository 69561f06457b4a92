// DeleteGroups v0–2
// - Answered by this broker's group coordinator for the groups whose
//   __consumer_offsets partition it leads: NOT_COORDINATOR for any other,
//   COORDINATOR_LOAD_IN_PROGRESS while that partition loads; each group on
//   its own.
// - A group without members is deleted: its metadata and offsets are
//   tombstoned in __consumer_offsets. NON_EMPTY_GROUP while it has members,
//   GROUP_ID_NOT_FOUND for an unknown group.
import { DeleteGroups } from '@kstream/protocol';
import { groupRequestContext } from './group-request-context.js';
import type { ApiHandler } from './handler.js';

export const deleteGroupsHandler: ApiHandler<typeof DeleteGroups> = {
  api: DeleteGroups,
  handle: (request, context) => context.broker.groups.deleteGroups(request, groupRequestContext(context)),
};
