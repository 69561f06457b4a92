// A kafkajs group member as the consumer-group tests watch it: what it was
// assigned (GROUP_JOIN), every record it processed, every commit the
// coordinator acknowledged (COMMIT_OFFSETS) and its crashes, as events, so
// a member in a child process (one a test kills) reports the same way as
// one in the test's process.
import type { Consumer, ConsumerConfig } from 'kafkajs';
import type { CompatCluster } from './compat-cluster.test-support.js';

/**
 * Short timings so membership changes take seconds: heartbeats every 300 ms,
 * fetches that wait 200 ms at most (kafkajs heartbeats between fetches), a
 * member dropped 3 s after its last heartbeat. The node must allow the
 * session timeout (group.min.session.timeout.ms, see GROUP_CONFIGS).
 */
export const MEMBER_TIMINGS = {
  sessionTimeout: 3_000,
  rebalanceTimeout: 10_000,
  heartbeatInterval: 300,
  maxWaitTimeInMs: 200,
  retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1_000 },
} as const satisfies Partial<ConsumerConfig>;

export type MemberEvent =
  | { readonly type: 'joined'; readonly memberId: string; readonly partitions: readonly number[] }
  | { readonly type: 'delivered'; readonly partition: number; readonly offset: string; readonly value: string }
  | { readonly type: 'committed'; readonly offsets: ReadonlyArray<{ readonly partition: number; readonly offset: string }> }
  | { readonly type: 'crashed'; readonly error: string; readonly restart: boolean };

export interface Delivery {
  readonly member: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly value: string;
}

/** What one member did, in the order it happened. */
export class MemberLog {
  readonly deliveries: Delivery[] = [];
  readonly crashes: string[] = [];
  /** The last offset the coordinator acknowledged per partition (the next record to read). */
  readonly committed = new Map<number, bigint>();
  #memberId: string | null = null;
  #assignment: readonly number[] | null = null;
  #joins = 0;

  constructor(readonly name: string) {}

  /** The member id of its last join, null before it joined. */
  get memberId(): string | null {
    return this.#memberId;
  }

  /** Its partitions since its last join, ascending; null before it joined. */
  get assignment(): readonly number[] | null {
    return this.#assignment;
  }

  /** How many generations it joined. */
  get joins(): number {
    return this.#joins;
  }

  apply(event: MemberEvent): void {
    switch (event.type) {
      case 'joined':
        this.#memberId = event.memberId;
        this.#assignment = [...event.partitions].sort((a, b) => a - b);
        this.#joins++;
        return;
      case 'delivered':
        this.deliveries.push({ member: this.name, partition: event.partition, offset: BigInt(event.offset), value: event.value });
        return;
      case 'committed':
        for (const { partition, offset } of event.offsets) this.committed.set(partition, BigInt(offset));
        return;
      case 'crashed':
        this.crashes.push(`${event.error}${event.restart ? ' (restarting)' : ''}`);
        return;
    }
  }
}

/**
 * Subscribes `consumer` (connected) to `topic` from the beginning and runs
 * it; each record is reported through `report` before kafkajs counts it
 * processed (and so before its offset can be committed).
 */
export async function runMember(consumer: Consumer, topic: string, report: (event: MemberEvent) => void | Promise<void>): Promise<void> {
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => void report({ type: 'joined', memberId: payload.memberId, partitions: payload.memberAssignment[topic] ?? [] }));
  consumer.on(
    consumer.events.COMMIT_OFFSETS,
    ({ payload }) =>
      void report({
        type: 'committed',
        // kafkajs reports the partition of a commit as a string.
        offsets: payload.topics.filter((t) => t.topic === topic).flatMap((t) => t.partitions.map((p) => ({ partition: Number(p.partition), offset: p.offset }))),
      }),
  );
  consumer.on(consumer.events.CRASH, ({ payload }) => void report({ type: 'crashed', error: `${payload.error.name}: ${payload.error.message}`, restart: payload.restart }));
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      await report({ type: 'delivered', partition, offset: message.offset, value: message.value?.toString() ?? '' });
    },
  });
}

/** A member in the test's own process. */
export class GroupMember extends MemberLog {
  private constructor(
    name: string,
    readonly consumer: Consumer,
  ) {
    super(name);
  }

  /** Joins `groupId` (the consumer runs until stop or the node stops) reading `topic`; `config` overrides MEMBER_TIMINGS. */
  static async start(node: CompatCluster, name: string, groupId: string, topic: string, config: Partial<ConsumerConfig> = {}): Promise<GroupMember> {
    const member = new GroupMember(name, await node.consumer({ groupId, ...MEMBER_TIMINGS, ...config }));
    await runMember(member.consumer, topic, (event) => member.apply(event));
    return member;
  }

  /** Leaves the group (LeaveGroup) and closes its connections. */
  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
