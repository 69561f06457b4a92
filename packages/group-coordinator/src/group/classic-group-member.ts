// One member of a classic group (Kafka's MemberMetadata): what it joined
// with, the assignment the leader gave it, and the JoinGroup or SyncGroup it
// has parked until the rebalance reaches it.

/** One protocol a member supports, in the member's order of preference, with its metadata (the subscription). */
export interface MemberProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

/** Kafka's JoinGroupResult: a JoinGroup's answer before it is shaped for the request's version. */
export interface JoinResult {
  readonly errorCode: number;
  readonly memberId: string;
  readonly generationId: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly leaderId: string;
  readonly skipAssignment: boolean;
  /** Every member's id, instance id and metadata for the chosen protocol: the leader's alone. */
  readonly members: readonly { readonly memberId: string; readonly groupInstanceId: string | null; readonly metadata: Buffer }[];
}

/** Kafka's SyncGroupResult. */
export interface SyncResult {
  readonly errorCode: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly assignment: Buffer;
}

export const EMPTY_BYTES: Buffer = Buffer.alloc(0);

/** Not thread-safe; owned by its group, which is owned by the coordinator's loop. */
export class ClassicGroupMember {
  /** Its JoinGroup, parked while the group prepares a rebalance. */
  awaitingJoin: ((result: JoinResult) => void) | undefined;
  /** Its SyncGroup, parked until the leader's assignment is stored. */
  awaitingSync: ((result: SyncResult) => void) | undefined;
  /** Joined during the rebalance under way and not yet in a generation: it cannot heartbeat yet. */
  isNew = false;
  /** Its session (or new-member join) timer, a deps.timers handle. */
  sessionTimer: unknown;
  assignment: Buffer = EMPTY_BYTES;

  constructor(
    public memberId: string,
    readonly groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    readonly protocolType: string,
    public protocols: readonly MemberProtocol[],
  ) {}

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  /** Its metadata for `protocolName`; empty when it does not support it. */
  metadata(protocolName: string): Buffer {
    return this.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY_BYTES;
  }

  /** Kafka's vote: the member's most preferred protocol among `candidates` (those every member supports). */
  vote(candidates: ReadonlySet<string>): string | undefined {
    return this.protocols.find((p) => candidates.has(p.name))?.name;
  }

  /** Whether it rejoined with exactly the protocols (names, order and metadata) it has. */
  matches(protocols: readonly MemberProtocol[]): boolean {
    return protocols.length === this.protocols.length && protocols.every((p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata));
  }
}
