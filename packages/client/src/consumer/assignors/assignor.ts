// What a partition assignor sees and returns: the group leader runs the
// group's chosen assignor over every member's subscription (Kafka's
// ConsumerPartitionAssignor).

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** One member's JoinGroup metadata, decoded from its consumer protocol subscription. */
export interface MemberSubscription {
  memberId: string;
  groupInstanceId: string | null;
  topics: readonly string[];
  /** What the member says it owns; sent by cooperative members, empty from eager ones. */
  ownedPartitions: readonly TopicPartition[];
  /** The generation the owned partitions were assigned in; -1 when the member does not say. */
  generationId: number;
  userData: Buffer | null;
}

export interface Assignor {
  /** Kafka's protocol name: 'range' | 'roundrobin' | 'cooperative-sticky'. */
  readonly name: string;
  /** Eager members give up everything before rejoining; cooperative ones only what moves. */
  readonly rebalanceProtocol: 'eager' | 'cooperative';
  /**
   * The partitions of each member, keyed by member id (every member present,
   * possibly with none). `partitionsPerTopic` holds the subscribed topics
   * that exist; a topic missing from it gets no assignment.
   */
  assign(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): Map<string, TopicPartition[]>;
}

export function partitionKey(partition: TopicPartition): string {
  return `${partition.topic}-${partition.partition}`;
}

/**
 * Kafka's member order for the range and round-robin assignors
 * (MemberInfo.compareTo): static members first, by instance id, so a restarted
 * static member gets its partitions back; then dynamic members by member id.
 */
export function compareMembers(a: MemberSubscription, b: MemberSubscription): number {
  if (a.groupInstanceId !== null && b.groupInstanceId !== null) return compareStrings(a.groupInstanceId, b.groupInstanceId);
  if (a.groupInstanceId !== null) return -1;
  if (b.groupInstanceId !== null) return 1;
  return compareStrings(a.memberId, b.memberId);
}

/** Java's String.compareTo for the names Kafka allows (ASCII): code unit order, not locale order. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function emptyAssignment(members: readonly MemberSubscription[]): Map<string, TopicPartition[]> {
  return new Map(members.map((member) => [member.memberId, []]));
}
