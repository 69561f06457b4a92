// ListGroups v0–5
// - The groups this broker coordinates, not the cluster's: as in Kafka,
//   clients (kafka-consumer-groups --list, admin clients) ask every broker.
//   COORDINATOR_LOAD_IN_PROGRESS while one of its partitions loads.
// - statesFilter (v4+) and typesFilter (v5+) keep the matching groups.
import { ListGroups } from '@kstream/protocol';
import { groupRequestContext } from './group-request-context.js';
import type { ApiHandler } from './handler.js';

export const listGroupsHandler: ApiHandler<typeof ListGroups> = {
  api: ListGroups,
  handle: (request, context) => context.broker.groups.listGroups(request, groupRequestContext(context)),
};
