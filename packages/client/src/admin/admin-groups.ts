// listGroups, describeGroups and deleteGroups. A group lives on its
// coordinator, so describe and delete go there (one request per coordinator
// for the groups it holds); listing asks every broker, since each lists only
// the groups it coordinates.
import { decodeAssignment, decodeSubscription, DeleteGroups, DescribeGroups, ListGroups } from '@kstream/protocol';
import type { ResponseOf } from '@kstream/protocol';
import { KafkaUnsupportedVersionError, protocolError } from '../errors/index.js';
import type { TopicPartition } from '../consumer/assignors/assignor.js';
import { runBatch } from './admin-batch.js';
import type { ItemOutcome } from './admin-batch.js';
import { startCall } from './admin-call.js';
import type { AdminContext } from './admin-call.js';
import type { AdminCallOptions } from './admin-options.js';
import { coordinatorRetry } from './admin-retry-policy.js';
import { sendPerBroker } from './admin-routing.js';

/** Kafka's group states (GroupState): the classic protocol's, then KIP-848's. */
export type GroupState = 'Empty' | 'Stable' | 'PreparingRebalance' | 'CompletingRebalance' | 'Dead' | 'Assigning' | 'Reconciling' | 'NotReady';

export interface ListGroupsOptions extends AdminCallOptions {
  /** Only groups in these states (ListGroups v4+); every group when absent. */
  states?: readonly GroupState[];
}

export interface GroupListing {
  readonly groupId: string;
  /** 'consumer' for consumer groups, '' for offsets committed without a group (simple commits). */
  readonly protocolType: string;
  /** null from brokers older than ListGroups v4. */
  readonly state: string | null;
  /** The broker coordinating it. */
  readonly coordinator: number;
}

/** A member's subscription as its consumer sent it in JoinGroup. */
export interface GroupMemberSubscription {
  readonly topics: readonly string[];
  readonly ownedPartitions: readonly TopicPartition[];
  readonly userData: Buffer | null;
}

export interface MemberDescription {
  readonly memberId: string;
  /** Set for static members. */
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** Decoded for protocol type 'consumer' (null otherwise, or while rebalancing). */
  readonly subscription: GroupMemberSubscription | null;
  /** Its partitions, decoded for protocol type 'consumer'; null while the group is rebalancing or for other protocol types. */
  readonly assignment: readonly TopicPartition[] | null;
  /** The raw bytes, for other protocol types. */
  readonly metadata: Buffer;
  readonly rawAssignment: Buffer;
}

export interface GroupDescription {
  readonly groupId: string;
  /** 'Dead' for a group the coordinator does not know. */
  readonly state: string;
  readonly protocolType: string;
  /** The assignor chosen: 'range', 'cooperative-sticky', ...; '' while none is. */
  readonly protocol: string;
  readonly members: readonly MemberDescription[];
  readonly coordinator: number | null;
}

const CONSUMER_PROTOCOL = 'consumer';

/** Every group of the cluster, asked of each broker; AdminBatchError names a broker that could not answer. */
export async function listGroups(context: AdminContext, options: ListGroupsOptions = {}): Promise<GroupListing[]> {
  const call = startCall(context, 'ListGroups', options);
  const brokers = [...(await context.cluster.refreshMetadata()).brokers.keys()].sort((a, b) => a - b);
  const states = options.states ?? [];
  const perBroker = await runBatch<number, GroupListing[]>(call, {
    items: brokers,
    itemName: (id) => `broker ${id}`,
    attempt: (pending) =>
      sendPerBroker(
        pending,
        (id) => context.cluster.broker(id),
        async (broker, items) => {
          if (states.length > 0 && !broker.supports(ListGroups, 4)) {
            throw new KafkaUnsupportedVersionError(`${broker.label} cannot filter groups by state: ListGroups v4+ needed`);
          }
          const response = await broker.request(ListGroups, { statesFilter: [...states], typesFilter: [] });
          if (response.errorCode !== 0) throw protocolError(response.errorCode, { api: call.api, broker: broker.label });
          const listed = response.groups.map((g) => ({
            groupId: g.groupId,
            protocolType: g.protocolType,
            state: broker.version(ListGroups) >= 4 ? g.groupState : null,
            coordinator: items[0]!,
          }));
          return items.map(() => ({ value: listed }));
        },
      ),
  });
  return perBroker.flat().sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
}

/** Each group's state, protocol and members with their decoded subscriptions and assignments. */
export function describeGroups(context: AdminContext, groupIds: readonly string[], options: AdminCallOptions = {}): Promise<GroupDescription[]> {
  const call = startCall(context, 'DescribeGroups', options);
  return runBatch<string, GroupDescription>(call, {
    items: groupIds,
    itemName: (id) => `group ${id}`,
    retryItem: coordinatorRetry(context, (id: string) => id),
    attempt: (pending) =>
      sendPerBroker(
        pending,
        (id) => context.cluster.coordinator('group', id),
        async (broker, items) => {
          const response = await broker.request(DescribeGroups, { groups: [...items], includeAuthorizedOperations: false });
          return items.map((groupId): ItemOutcome<GroupDescription> | undefined => {
            const group = response.groups.find((g) => g.groupId === groupId);
            if (group === undefined) return undefined;
            if (group.errorCode !== 0) return { error: protocolError(group.errorCode, { api: call.api, broker: broker.label, groupId }) };
            return { value: groupDescription(group, broker.nodeId) };
          });
        },
      ),
  });
}

/** Deletes each group and its committed offsets; NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND for an unknown one. */
export async function deleteGroups(context: AdminContext, groupIds: readonly string[], options: AdminCallOptions = {}): Promise<void> {
  const call = startCall(context, 'DeleteGroups', options);
  await runBatch<string, void>(call, {
    items: groupIds,
    itemName: (id) => `group ${id}`,
    retryItem: coordinatorRetry(context, (id: string) => id),
    attempt: (pending) =>
      sendPerBroker(
        pending,
        (id) => context.cluster.coordinator('group', id),
        async (broker, items) => {
          const response = await broker.request(DeleteGroups, { groupsNames: [...items] });
          return items.map((groupId): ItemOutcome<void> | undefined => {
            const result = response.results.find((r) => r.groupId === groupId);
            if (result === undefined) return undefined;
            if (result.errorCode !== 0) return { error: protocolError(result.errorCode, { api: call.api, broker: broker.label, groupId }) };
            return { value: undefined };
          });
        },
      ),
  });
}

type DescribedGroup = ResponseOf<typeof DescribeGroups>['groups'][number];

function groupDescription(group: DescribedGroup, coordinator: number | null): GroupDescription {
  const consumer = group.protocolType === CONSUMER_PROTOCOL;
  return {
    groupId: group.groupId,
    state: group.groupState,
    protocolType: group.protocolType,
    protocol: group.protocolData,
    coordinator,
    members: group.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscription: consumer ? decodedSubscription(m.memberMetadata) : null,
      assignment: consumer ? decodedAssignment(m.memberAssignment) : null,
      metadata: m.memberMetadata,
      rawAssignment: m.memberAssignment,
    })),
  };
}

/** null for empty or undecodable bytes: a describe shows what it can rather than failing the group. */
function decodedSubscription(bytes: Buffer): GroupMemberSubscription | null {
  if (bytes.length === 0) return null;
  try {
    const subscription = decodeSubscription(bytes);
    return {
      topics: subscription.topics,
      ownedPartitions: subscription.ownedPartitions.flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition }))),
      userData: subscription.userData,
    };
  } catch {
    return null;
  }
}

function decodedAssignment(bytes: Buffer): TopicPartition[] | null {
  if (bytes.length === 0) return null;
  try {
    return decodeAssignment(bytes).assignedPartitions.flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition })));
  } catch {
    return null;
  }
}
