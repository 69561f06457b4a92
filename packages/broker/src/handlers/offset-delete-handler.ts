// OffsetDelete v0
// - Answered by this broker's group coordinator for the groups whose
//   __consumer_offsets partition it leads: NOT_COORDINATOR for any other,
//   COORDINATOR_LOAD_IN_PROGRESS while that partition loads.
// - Deletes a group's committed offsets of the listed partitions
//   (tombstones in __consumer_offsets); a partition of a topic the group's
//   members are subscribed to is GROUP_SUBSCRIBED_TO_TOPIC; an unknown
//   group GROUP_ID_NOT_FOUND.
import { OffsetDelete } from '@kstream/protocol';
import { groupRequestContext } from './group-request-context.js';
import type { ApiHandler } from './handler.js';

export const offsetDeleteHandler: ApiHandler<typeof OffsetDelete> = {
  api: OffsetDelete,
  handle: (request, context) => context.broker.groups.offsetDelete(request, groupRequestContext(context)),
};
