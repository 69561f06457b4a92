// OffsetFetch v0–9
// - Answered by this broker's group coordinator for the groups whose
//   __consumer_offsets partition it leads: NOT_COORDINATOR for any other,
//   COORDINATOR_LOAD_IN_PROGRESS while that partition loads.
// - The committed offset, leader epoch and metadata of each listed
//   partition (offset -1 when none); topics null (v2+) lists every
//   partition the group committed. v8+ asks for several groups, each
//   answered on its own.
// - requireStable (v7+): a partition with transactional offsets of a
//   transaction not yet ended (TxnOffsetCommit before its marker) answers
//   UNSTABLE_OFFSET_COMMIT (retriable) rather than the offset committed
//   before; without it the committed offset is answered regardless.
import { OffsetFetch } from '@kstream/protocol';
import { groupRequestContext } from './group-request-context.js';
import type { ApiHandler } from './handler.js';

export const offsetFetchHandler: ApiHandler<typeof OffsetFetch> = {
  api: OffsetFetch,
  handle: (request, context) => context.broker.groups.offsetFetch(request, groupRequestContext(context)),
};
