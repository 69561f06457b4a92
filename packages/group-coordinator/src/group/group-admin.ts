import { AUTHORIZED_OPERATIONS_OMITTED, ErrorCode, type DeleteGroups, type DescribeGroups, type ListGroups, type RequestOf, type ResponseOf } from '@kstream/protocol';
import type { CoordinatorRecord } from '../records/index.js';
import type { ClassicGroup } from './classic-group.js';
import type { CoordinatorPartitions, Routed } from './coordinator-partitions.js';
import type { CoordinatorShard } from './coordinator-shard.js';
import type { ClassicGroupMembership } from './group-membership.js';
import { coordinatorWriteError } from './write-errors.js';

// ListGroups v0–5, DescribeGroups v0–5, DeleteGroups v0–2
// - ListGroups lists the groups of every partition loaded here, filtered by
//   state (v4, any case) and type (v5: all of them are "classic"); while a
//   partition loads it answers COORDINATOR_LOAD_IN_PROGRESS with the rest.
// - DescribeGroups answers an unknown group as Kafka does up to v5: state
//   "Dead", no error.
// - DeleteGroups deletes Empty groups only (NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND):
//   a tombstone for the group and one per partition with a committed offset
//   or an open transaction's (whose offsets go too, as Kafka's), one batch
//   per __consumer_offsets partition.

const CLASSIC_GROUP_TYPE = 'classic';

export interface GroupRemovalDeps {
  readonly clock: () => number;
  /** A group removed from its shard: its membership state goes too. */
  readonly onGroupRemoved: (group: ClassicGroup) => void;
}

type DescribedGroup = ResponseOf<typeof DescribeGroups>['groups'][number];
type DeleteResult = ResponseOf<typeof DeleteGroups>['results'][number];

export function listGroups(request: RequestOf<typeof ListGroups>, partitions: CoordinatorPartitions, membership: ClassicGroupMembership): ResponseOf<typeof ListGroups> {
  const states = new Set(request.statesFilter.map((state) => state.toLowerCase()));
  const types = new Set(request.typesFilter.map((type) => type.toLowerCase()));
  const groups = [];
  if (types.size === 0 || types.has(CLASSIC_GROUP_TYPE)) {
    for (const shard of partitions.active()) {
      for (const group of shard.groups.values()) {
        if (group.state === 'Dead' || (states.size > 0 && !states.has(group.state.toLowerCase()))) continue;
        groups.push(membership.listed(group));
      }
    }
  }
  const errorCode = partitions.anyLoading() ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE;
  return { throttleTimeMs: 0, errorCode, groups };
}

export function describeGroups(
  request: RequestOf<typeof DescribeGroups>,
  apiVersion: number,
  membership: ClassicGroupMembership,
  route: (groupId: string) => Routed,
): ResponseOf<typeof DescribeGroups> {
  const groups = request.groups.map((groupId): DescribedGroup => {
    const routed = route(groupId);
    if (!('shard' in routed)) return describedWithoutGroup(groupId, routed.errorCode, '');
    const group = routed.shard.groups.get(groupId);
    if (group === undefined || group.state === 'Dead') return describedWithoutGroup(groupId, ErrorCode.NONE, 'Dead');
    return membership.describe(group, apiVersion, request.includeAuthorizedOperations);
  });
  return { throttleTimeMs: 0, groups };
}

function describedWithoutGroup(groupId: string, errorCode: number, groupState: string): DescribedGroup {
  return {
    errorCode,
    groupId,
    groupState,
    protocolType: '',
    protocolData: '',
    members: [],
    authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

export async function deleteGroups(request: RequestOf<typeof DeleteGroups>, route: (groupId: string) => Routed, deps: GroupRemovalDeps): Promise<ResponseOf<typeof DeleteGroups>> {
  const errors = new Map<string, number>();
  const eligible = new Map<CoordinatorShard, Map<string, ClassicGroup>>();
  for (const groupId of request.groupsNames) {
    const routed = route(groupId);
    if (!('shard' in routed)) {
      errors.set(groupId, routed.errorCode);
      continue;
    }
    const group = routed.shard.groups.get(groupId);
    if (group === undefined || group.state === 'Dead') errors.set(groupId, ErrorCode.GROUP_ID_NOT_FOUND);
    else if (group.state !== 'Empty') errors.set(groupId, ErrorCode.NON_EMPTY_GROUP);
    else {
      let groups = eligible.get(routed.shard);
      if (groups === undefined) eligible.set(routed.shard, (groups = new Map()));
      groups.set(groupId, group);
    }
  }
  await Promise.all(
    [...eligible].map(async ([shard, groups]) => {
      const written = await deleteFromShard(shard, [...groups.values()], deps);
      const errorCode = written === ErrorCode.NONE ? ErrorCode.NONE : coordinatorWriteError(written, false);
      for (const groupId of groups.keys()) errors.set(groupId, errorCode);
    }),
  );
  const results = request.groupsNames.map((groupId): DeleteResult => ({ groupId, errorCode: errors.get(groupId)! }));
  return { throttleTimeMs: 0, results };
}

/** Tombstones for the groups and their offsets; once written, the offsets are gone and each group still Empty is Dead. */
function deleteFromShard(shard: CoordinatorShard, groups: readonly ClassicGroup[], deps: GroupRemovalDeps): Promise<number> {
  const records: CoordinatorRecord[] = [];
  for (const group of groups) {
    for (const [topic, partition] of shard.offsets.entries(group.groupId)) {
      records.push({ type: 'offset', key: { group: group.groupId, topic, partition }, value: null });
    }
    for (const [topic, partition] of shard.txnOffsets.partitionsOf(group.groupId)) {
      if (shard.offsets.get(group.groupId, topic, partition) === undefined) {
        records.push({ type: 'offset', key: { group: group.groupId, topic, partition }, value: null });
      }
    }
    records.push({ type: 'group', group: group.groupId, value: null });
  }
  return shard.write(records, () => {
    for (const record of records) {
      if (record.type === 'offset') shard.deleteOffset(record.key.group, record.key.topic, record.key.partition);
    }
    for (const group of groups) {
      // A member may have joined since: such a group lives on and is stored again by its rebalance.
      if (shard.groups.get(group.groupId) !== group || group.state !== 'Empty') continue;
      group.transitionTo('Dead', deps.clock());
      shard.groups.delete(group.groupId);
      deps.onGroupRemoved(group);
    }
  });
}
