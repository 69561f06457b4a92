// What the @kstream/client group tests share: a consumer of ours polling in
// the background, every record it is handed and every partition it gains or
// gives up written to one log in the order they happen (a sequence number,
// not a clock), and the checks that follow from that log: no partition owned
// by two members at once, each record read while its reader owned the
// partition, every produced value read.
import { Consumer, stringSerde, type ConsumerOptions, type TopicPartition } from '@kstream/client';
import type { CompatCluster } from './compat-cluster.test-support.js';

export interface RecordRead {
  readonly seq: number;
  readonly member: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly value: string;
}

export interface OwnershipEvent {
  readonly seq: number;
  readonly member: string;
  readonly partition: number;
  readonly kind: 'assigned' | 'revoked' | 'lost';
}

/** One log for a test's members. */
export class GroupLog {
  private seq = 0;
  readonly reads: RecordRead[] = [];
  readonly ownership: OwnershipEvent[] = [];

  read(member: string, partition: number, offset: bigint, value: string): void {
    this.reads.push({ seq: this.seq++, member, partition, offset, value });
  }

  owned(member: string, partitions: readonly TopicPartition[], kind: OwnershipEvent['kind']): void {
    for (const { partition } of partitions) this.ownership.push({ seq: this.seq++, member, partition, kind });
  }

  /** Each member's owned partitions now, from the log. */
  assignments(): Map<string, number[]> {
    const owned = new Map<string, Set<number>>();
    for (const e of this.ownership) {
      const set = owned.get(e.member) ?? new Set<number>();
      if (e.kind === 'assigned') set.add(e.partition);
      else set.delete(e.partition);
      owned.set(e.member, set);
    }
    return new Map([...owned].map(([member, set]) => [member, [...set].sort((a, b) => a - b)]));
  }

  /** Ownership intervals of one partition that overlap: "p3: b from #12 while a from #4". */
  overlaps(): string[] {
    const faults: string[] = [];
    const holder = new Map<number, { member: string; since: number }>();
    for (const e of this.ownership) {
      const current = holder.get(e.partition);
      if (e.kind === 'assigned') {
        if (current !== undefined && current.member !== e.member) faults.push(`p${e.partition}: ${e.member} from #${e.seq} while ${current.member} from #${current.since}`);
        holder.set(e.partition, { member: e.member, since: e.seq });
      } else if (current?.member === e.member) {
        holder.delete(e.partition);
      }
    }
    return faults;
  }

  /** Records handed to a member that did not own their partition at that moment. */
  readsWithoutOwnership(): string[] {
    const faults: string[] = [];
    const owner = new Map<number, string>();
    const events = [...this.ownership.map((e) => ({ ...e, type: 'own' as const })), ...this.reads.map((r) => ({ ...r, type: 'read' as const }))].sort((a, b) => a.seq - b.seq);
    for (const e of events) {
      if (e.type === 'own') {
        if (e.kind === 'assigned') owner.set(e.partition, e.member);
        else if (owner.get(e.partition) === e.member) owner.delete(e.partition);
      } else if (owner.get(e.partition) !== e.member) {
        faults.push(`${e.member} read p${e.partition}@${e.offset} (#${e.seq}) while ${owner.get(e.partition) ?? 'nobody'} owned it`);
      }
    }
    return faults;
  }

  /** Acknowledged values never read, and values read more than once. */
  deliveryFaults(produced: readonly string[]): { missing: string[]; duplicated: string[] } {
    const seen = new Map<string, number>();
    for (const r of this.reads) seen.set(r.value, (seen.get(r.value) ?? 0) + 1);
    return { missing: produced.filter((v) => !seen.has(v)), duplicated: [...seen].filter(([, n]) => n > 1).map(([v, n]) => `${v} x${n}`) };
  }
}

export type MemberOptions = Partial<ConsumerOptions<string, string>> & { groupId: string };

/** One of our consumers in a group, polling in the background until stopped; its polling can be held to let max.poll.interval expire. */
export class PollingMember {
  readonly consumer: Consumer<string, string>;
  private stopped = false;
  private held = false;
  private readonly loop: Promise<void>;
  /** The first error a poll threw, if any. */
  error: unknown = null;

  constructor(
    node: CompatCluster,
    readonly name: string,
    topic: string,
    readonly log: GroupLog,
    options: MemberOptions,
  ) {
    this.consumer = new Consumer<string, string>({
      bootstrap: node.bootstrap,
      keyDeserializer: stringSerde,
      valueDeserializer: stringSerde,
      autoOffsetReset: 'earliest',
      fetchMaxWaitMs: 100,
      requestTimeoutMs: 5_000,
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 300,
      autoCommitIntervalMs: 200,
      clientId: `client-group-${name}`,
      rebalanceListener: {
        onAssigned: (partitions) => log.owned(name, partitions, 'assigned'),
        onRevoked: (partitions) => log.owned(name, partitions, 'revoked'),
        onLost: (partitions) => log.owned(name, partitions, 'lost'),
      },
      ...options,
    });
    this.consumer.subscribe([topic]);
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.held) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      try {
        for (const batch of await this.consumer.poll({ timeoutMs: 100 })) {
          for (const record of batch.records) this.log.read(this.name, record.partition, record.offset, record.value ?? '');
        }
      } catch (error) {
        if (this.stopped) return;
        this.error ??= error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** The partitions this member owns now, as its rebalance listener saw them. */
  partitions(): number[] {
    return this.log.assignments().get(this.name) ?? [];
  }

  /** Stops polling (the application is stuck) or starts again. */
  hold(held: boolean): void {
    this.held = held;
  }

  /** Stops polling and closes the consumer: final commit, LeaveGroup unless static. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.loop;
    await this.consumer.close();
  }
}
