import { DescribeGroups } from '@kstream/protocol';
import type { ClusterClient } from '../cluster/index.js';
import { throwIfError, withRetry } from '../errors/index.js';
import type { ConsumerGroupState, GroupDescription } from './types-consumer.js';

/**
 * kafkajs's group descriptions, members' metadata and assignments as the
 * raw consumer-protocol bytes (kafkajs hands them over undecoded; a
 * program decodes them with AssignerProtocol). Asks each group's
 * coordinator, as Kafka requires, finding it again when it moved
 * (NOT_COORDINATOR and other retriable answers are retried with the
 * client's backoff, within its request timeout); a group error rejects,
 * naming the group.
 */
export async function describeGroupsRaw(cluster: ClusterClient, groupIds: readonly string[]): Promise<GroupDescription[]> {
  const { retryBackoffMs, retryBackoffMaxMs, retries, requestTimeoutMs } = cluster.options;
  return Promise.all(
    groupIds.map((groupId) =>
      withRetry(() => describeGroup(cluster, groupId), {
        retryBackoffMs,
        retryBackoffMaxMs,
        retries,
        deadline: Date.now() + requestTimeoutMs,
        description: `DescribeGroups for group ${groupId}`,
        onRetry: () => cluster.invalidateCoordinator('group', groupId),
      }),
    ),
  );
}

async function describeGroup(cluster: ClusterClient, groupId: string): Promise<GroupDescription> {
  const coordinator = await cluster.coordinator('group', groupId);
  const response = await coordinator.request(DescribeGroups, { groups: [groupId], includeAuthorizedOperations: false });
  const group = response.groups[0]!;
  throwIfError(group.errorCode, { api: 'DescribeGroups', groupId, broker: coordinator.label });
  return {
    // Not in kafkajs's type, but in what it hands over: a described group is one without error.
    ...{ errorCode: 0 },
    groupId: group.groupId,
    members: group.members.map((member) => ({
      memberId: member.memberId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      memberMetadata: Buffer.from(member.memberMetadata),
      memberAssignment: Buffer.from(member.memberAssignment),
    })),
    protocol: group.protocolData,
    protocolType: group.protocolType,
    state: group.groupState as ConsumerGroupState,
  };
}
