// A consumer-group member at the protocol level, for the groups benchmark:
// JoinGroup v9 (the MEMBER_ID_REQUIRED round trip first), SyncGroup v5 (the
// leader sends every member an assignment), then Heartbeat v4 every
// `heartbeatMs` until told to rejoin. No client library's timers or backoff:
// what it times is the coordinator's. One connection of its own, since a
// broker answers a connection's requests in order and a JoinGroup waits for
// the rebalance.
import { encodeAssignment, encodeSubscription, ErrorCode, errorInfo, Heartbeat, JoinGroup, LeaveGroup, SyncGroup } from '@kstream/protocol';
import type { KafkaConnection } from '../replication/kafka-connection.js';

const JOIN_VERSION = 9;
const SYNC_VERSION = 5;
const HEARTBEAT_VERSION = 4;
const LEAVE_VERSION = 5;
const SESSION_TIMEOUT_MS = 30_000;
const REBALANCE_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 60_000;
const SUBSCRIPTION = encodeSubscription({ topics: ['bench-groups'], userData: null, ownedPartitions: [], generationId: -1, rackId: null }, 0);
const ASSIGNMENT = encodeAssignment({ assignedPartitions: [{ topic: 'bench-groups', partitions: [0] }], userData: null }, 0);

export function errorName(code: number): string {
  return errorInfo(code).name;
}

/** Where a member is: joining (or rejoining), or synced in a generation (of `members` members, known to the leader). */
export type MemberState = { readonly kind: 'joining' } | { readonly kind: 'synced'; readonly generation: number; readonly at: number; readonly members: number | null };

export class ProtocolMember {
  #memberId = '';
  #state: MemberState = { kind: 'joining' };
  #stopped = false;
  #heartbeatMs: number;
  /** When the first JoinGroup was sent (performance.now()). */
  firstJoinAt = 0;

  constructor(
    private readonly conn: KafkaConnection,
    readonly group: string,
    heartbeatMs: number,
    private readonly onChange: () => void,
  ) {
    this.#heartbeatMs = heartbeatMs;
  }

  get state(): MemberState {
    return this.#state;
  }

  /** Heartbeats from now on every `ms` (a group once stable needs fewer). */
  slowDown(ms: number): void {
    this.#heartbeatMs = ms;
  }

  /** Joins, syncs and heartbeats until stop(); rejoins when a heartbeat or sync says REBALANCE_IN_PROGRESS. Rejects on any other error. */
  async run(): Promise<void> {
    this.firstJoinAt = performance.now();
    while (!this.#stopped) {
      this.#set({ kind: 'joining' });
      const join = await this.conn.request(
        JoinGroup,
        JOIN_VERSION,
        {
          groupId: this.group,
          sessionTimeoutMs: SESSION_TIMEOUT_MS,
          rebalanceTimeoutMs: REBALANCE_TIMEOUT_MS,
          memberId: this.#memberId,
          groupInstanceId: null,
          protocolType: 'consumer',
          protocols: [{ name: 'range', metadata: SUBSCRIPTION }],
          reason: null,
        },
        REQUEST_TIMEOUT_MS,
      );
      if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        this.#memberId = join.memberId;
        continue;
      }
      if (join.errorCode !== 0) throw new Error(`JoinGroup of ${this.group}: ${errorName(join.errorCode)}`);
      this.#memberId = join.memberId;
      const leader = join.leader === join.memberId;
      const sync = await this.conn.request(
        SyncGroup,
        SYNC_VERSION,
        {
          groupId: this.group,
          generationId: join.generationId,
          memberId: this.#memberId,
          groupInstanceId: null,
          protocolType: 'consumer',
          protocolName: join.protocolName,
          assignments: leader ? join.members.map((m) => ({ memberId: m.memberId, assignment: ASSIGNMENT })) : [],
        },
        REQUEST_TIMEOUT_MS,
      );
      if (sync.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) continue;
      if (sync.errorCode !== 0) throw new Error(`SyncGroup of ${this.group} generation ${join.generationId}: ${errorName(sync.errorCode)}`);
      this.#set({ kind: 'synced', generation: join.generationId, at: performance.now(), members: leader ? join.members.length : null });
      await this.#heartbeatUntilRebalance(join.generationId);
    }
  }

  /** Stops heartbeating and leaves the group (LeaveGroup), so the next figure starts from a quiet coordinator. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#memberId === '' || this.conn.isClosed) return;
    await this.conn
      .request(LeaveGroup, LEAVE_VERSION, { groupId: this.group, memberId: '', members: [{ memberId: this.#memberId, groupInstanceId: null, reason: null }] }, REQUEST_TIMEOUT_MS)
      .catch(() => {});
  }

  async #heartbeatUntilRebalance(generation: number): Promise<void> {
    while (!this.#stopped) {
      await new Promise((resolve) => setTimeout(resolve, this.#heartbeatMs));
      if (this.#stopped) return;
      const beat = await this.conn.request(
        Heartbeat,
        HEARTBEAT_VERSION,
        { groupId: this.group, generationId: generation, memberId: this.#memberId, groupInstanceId: null },
        REQUEST_TIMEOUT_MS,
      );
      if (beat.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) return;
      if (beat.errorCode !== 0) throw new Error(`Heartbeat of ${this.group} generation ${generation}: ${errorName(beat.errorCode)}`);
    }
  }

  #set(state: MemberState): void {
    this.#state = state;
    this.onChange();
  }
}
