// JoinGroup, SyncGroup, Heartbeat and LeaveGroup against the group's
// coordinator, each at the highest version both sides speak. A Kafka error
// code in the answer is thrown as KafkaProtocolError, naming the group and
// the coordinator; JoinGroup's MEMBER_ID_REQUIRED is returned, since the
// member id it carries is needed for the retry.
import { ErrorCode, Heartbeat, JoinGroup, LeaveGroup, SyncGroup, type ResponseOf } from '@kstream/protocol';
import type { BrokerConnection } from '../../connection/index.js';
import { throwIfError } from '../../errors/index.js';
import { PROTOCOL_TYPE } from './consumer-protocol.js';

export interface Membership {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
}

/**
 * JoinGroup and SyncGroup wait for the whole group, up to the rebalance
 * timeout: their requests may take that long and some (Kafka's clients allow
 * the rebalance timeout plus 5 s).
 */
export function rebalanceRequestTimeoutMs(requestTimeoutMs: number, rebalanceTimeoutMs: number): number {
  return Math.max(requestTimeoutMs, rebalanceTimeoutMs + 5_000);
}

export async function joinGroup(
  coordinator: BrokerConnection,
  member: Membership,
  options: { sessionTimeoutMs: number; rebalanceTimeoutMs: number; protocols: { name: string; metadata: Buffer }[]; reason: string; timeoutMs: number },
): Promise<ResponseOf<typeof JoinGroup>> {
  const response = await coordinator.request(
    JoinGroup,
    {
      groupId: member.groupId,
      sessionTimeoutMs: options.sessionTimeoutMs,
      rebalanceTimeoutMs: options.rebalanceTimeoutMs,
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      protocolType: PROTOCOL_TYPE,
      protocols: options.protocols,
      reason: options.reason,
    },
    { timeoutMs: options.timeoutMs },
  );
  if (response.errorCode !== ErrorCode.MEMBER_ID_REQUIRED) throwIfError(response.errorCode, context('JoinGroup', coordinator, member));
  return response;
}

export async function syncGroup(
  coordinator: BrokerConnection,
  member: Membership,
  generationId: number,
  protocolName: string,
  assignments: { memberId: string; assignment: Buffer }[],
  timeoutMs: number,
): Promise<Buffer> {
  const response = await coordinator.request(
    SyncGroup,
    {
      groupId: member.groupId,
      generationId,
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      protocolType: PROTOCOL_TYPE,
      protocolName,
      assignments,
    },
    { timeoutMs },
  );
  throwIfError(response.errorCode, context('SyncGroup', coordinator, member));
  return response.assignment;
}

export async function heartbeat(coordinator: BrokerConnection, member: Membership, generationId: number): Promise<void> {
  const response = await coordinator.request(Heartbeat, {
    groupId: member.groupId,
    generationId,
    memberId: member.memberId,
    groupInstanceId: member.groupInstanceId,
  });
  throwIfError(response.errorCode, context('Heartbeat', coordinator, member));
}

export async function leaveGroup(coordinator: BrokerConnection, member: Membership, reason: string): Promise<void> {
  const response = await coordinator.request(LeaveGroup, {
    groupId: member.groupId,
    memberId: member.memberId,
    members: [{ memberId: member.memberId, groupInstanceId: member.groupInstanceId, reason }],
  });
  throwIfError(response.errorCode, context('LeaveGroup', coordinator, member));
  for (const answer of response.members) throwIfError(answer.errorCode, context('LeaveGroup', coordinator, member));
}

function context(api: string, coordinator: BrokerConnection, member: Membership) {
  return { api, broker: coordinator.label, groupId: member.groupId };
}
