import { ErrorCode, type Heartbeat, type JoinGroup, type LeaveGroup, type RequestOf, type ResponseOf, type SyncGroup } from '@kstream/protocol';

// The answers of the membership APIs when the request never reaches a group:
// it is routed elsewhere (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS), its
// group id is empty (INVALID_GROUP_ID) or its group does not exist
// (UNKNOWN_MEMBER_ID), in each API's response shape for its version.

export function joinGroupError(request: RequestOf<typeof JoinGroup>, apiVersion: number, errorCode: number): ResponseOf<typeof JoinGroup> {
  return {
    throttleTimeMs: 0,
    errorCode,
    generationId: -1,
    protocolType: null,
    // Nullable only from v7; before, Kafka sends an empty name.
    protocolName: apiVersion >= 7 ? null : '',
    leader: '',
    skipAssignment: false,
    memberId: request.memberId,
    members: [],
  };
}

export function syncGroupError(errorCode: number): ResponseOf<typeof SyncGroup> {
  return { throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
}

export function heartbeatError(errorCode: number): ResponseOf<typeof Heartbeat> {
  return { throttleTimeMs: 0, errorCode };
}

export function leaveGroupError(errorCode: number): ResponseOf<typeof LeaveGroup> {
  return { throttleTimeMs: 0, errorCode, members: [] };
}

/**
 * LeaveGroup for a group that does not exist: from v3 each member is
 * UNKNOWN_MEMBER_ID under a top-level NONE; before, the one member's error is
 * the top-level one (Kafka's LeaveGroupResponse).
 */
export function leaveUnknownGroup(request: RequestOf<typeof LeaveGroup>, apiVersion: number): ResponseOf<typeof LeaveGroup> {
  if (apiVersion < 3) return leaveGroupError(ErrorCode.UNKNOWN_MEMBER_ID);
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    members: request.members.map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      errorCode: ErrorCode.UNKNOWN_MEMBER_ID,
    })),
  };
}
