// What the consumer-group tests share: broker configs that make groups form
// in well under a second, the group as its coordinator describes it
// (members and their partitions), the coordinator's broker and the wait
// until it serves a group, committed and end offsets, a producer streaming
// until stopped, and the check that each record was seen once.
import { AssignerProtocol } from 'kafkajs';
import type { Admin, Producer } from 'kafkajs';
import { ErrorCode, FindCoordinator } from '@kstream/protocol';
import { waitFor } from '../src/cluster.test-support.js';
import type { BrokerConfigs, CompatCluster } from './compat-cluster.test-support.js';
import { errorName, RawConnection } from './raw-connection.test-support.js';
import { waitForCoordinatorReady } from './raw-group-requests.test-support.js';
import type { Delivery } from './group-member.test-support.js';

/**
 * A first rebalance that waits 200 ms for more members (Kafka's 3 s would
 * dominate every test), session timeouts from 500 ms allowed, and 5
 * __consumer_offsets partitions (50 make its creation the slowest step).
 */
export const GROUP_CONFIGS: BrokerConfigs = {
  'group.initial.rebalance.delay.ms': '200',
  'group.min.session.timeout.ms': '500',
  'offsets.topic.num.partitions': '5',
};

export interface MemberView {
  readonly memberId: string;
  readonly clientId: string;
  /** Its partitions of the topic asked about, ascending. */
  readonly partitions: readonly number[];
}

export interface GroupView {
  readonly state: string;
  readonly protocol: string;
  readonly members: readonly MemberView[];
}

/** The group as its coordinator describes it (DescribeGroups), each member's assignment decoded for `topic`. */
export async function describeGroup(admin: Admin, groupId: string, topic: string): Promise<GroupView> {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups.find((g) => g.groupId === groupId);
  if (group === undefined) throw new Error(`DescribeGroups answered no entry for group ${groupId}`);
  return {
    state: group.state,
    protocol: group.protocol,
    members: group.members.map((m) => {
      const decoded = m.memberAssignment.length === 0 ? null : AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      return { memberId: m.memberId, clientId: m.clientId, partitions: [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b) };
    }),
  };
}

/**
 * Polls `read` until its value passes `check` (a read that throws counts as not yet); fails naming
 * `what` and the last value read, or the last error, so a stuck wait says where it stuck.
 */
async function pollUntil<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean, timeoutMs: number): Promise<T> {
  let last: { value: T } | undefined;
  let lastSeen = 'nothing read yet';
  try {
    await waitFor(
      what,
      async () => {
        try {
          last = { value: await read() };
          lastSeen = JSON.stringify(last.value);
          return check(last.value);
        } catch (error) {
          lastSeen = (error as Error).message;
          return false;
        }
      },
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last seen: ${lastSeen}`);
  }
  return last!.value;
}

/** Polls DescribeGroups until the group passes `check`; fails naming `what` and the last description. */
export function waitForGroup(admin: Admin, groupId: string, topic: string, what: string, check: (view: GroupView) => boolean, timeoutMs = 20_000): Promise<GroupView> {
  return pollUntil(`group ${groupId}: ${what}`, () => describeGroup(admin, groupId, topic), check, timeoutMs);
}

/** Each member's partition count, ascending: [2, 2, 2] for a balanced group of 3 on 6 partitions. */
export function partitionCounts(view: GroupView): number[] {
  return view.members.map((m) => m.partitions.length).sort((a, b) => a - b);
}

/** Every partition below `partitionCount` is assigned to exactly one member (a list of those that are not: missing or doubled). */
export function sharingFaults(view: GroupView, partitionCount: number): string[] {
  const owners = new Map<number, string[]>();
  for (const m of view.members) for (const p of m.partitions) owners.set(p, [...(owners.get(p) ?? []), m.memberId]);
  const faults: string[] = [];
  for (let p = 0; p < partitionCount; p++) {
    const of = owners.get(p) ?? [];
    if (of.length !== 1) faults.push(`partition ${p} assigned to ${of.length === 0 ? 'no member' : of.join(' and ')}`);
  }
  for (const p of owners.keys()) if (p >= partitionCount) faults.push(`partition ${p} assigned but the topic has ${partitionCount}`);
  return faults;
}

/** Whether the group is Stable with `members` members sharing all `partitionCount` partitions. */
export function stableAndShared(view: GroupView, members: number, partitionCount: number): boolean {
  return view.state === 'Stable' && view.members.length === members && sharingFaults(view, partitionCount).length === 0;
}

/** The broker coordinating `groupId`, as broker `askBroker` answers FindCoordinator v4; throws on an error code. */
export async function findCoordinator(node: CompatCluster, groupId: string, askBroker = 1): Promise<number> {
  const conn = await RawConnection.open(node.port(askBroker));
  try {
    const response = await conn.request(FindCoordinator, 4, { keyType: 0, coordinatorKeys: [groupId] });
    const answer = response.coordinators[0];
    if (answer === undefined) throw new Error(`FindCoordinator v4 for group ${groupId} on broker ${askBroker}: no coordinator in the answer`);
    if (answer.errorCode !== ErrorCode.NONE) {
      throw new Error(`FindCoordinator v4 for group ${groupId} on broker ${askBroker}: ${errorName(answer.errorCode)} ${answer.errorMessage ?? ''}`);
    }
    return answer.nodeId;
  } finally {
    conn.close();
  }
}

/** Polls FindCoordinator (asking `askBroker`) until it names a coordinator that passes `check`. */
export function waitForCoordinator(node: CompatCluster, groupId: string, what: string, check: (broker: number) => boolean, askBroker = 1, timeoutMs = 20_000): Promise<number> {
  return pollUntil(`group ${groupId}'s coordinator: ${what}`, () => findCoordinator(node, groupId, askBroker), check, timeoutMs);
}

/** Waits until broker `broker` serves group `groupId` (answers neither NOT_COORDINATOR nor COORDINATOR_LOAD_IN_PROGRESS). */
export async function waitForServing(node: CompatCluster, broker: number, groupId: string): Promise<void> {
  const conn = await RawConnection.open(node.port(broker));
  try {
    await waitForCoordinatorReady(conn, groupId);
  } finally {
    conn.close();
  }
}

/** The broker coordinating `groupId`, once it serves the group (FindCoordinator is retried while __consumer_offsets is created). */
export async function servingCoordinator(node: CompatCluster, groupId: string): Promise<number> {
  const coordinator = await waitForCoordinator(node, groupId, 'any broker', () => true);
  await waitForServing(node, coordinator, groupId);
  return coordinator;
}

/** A kafkajs failure to reach a broker: the cause of its retries running out, or the error itself. */
function refusedConnection(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause;
  return (error as Error).name === 'KafkaJSConnectionError' || (cause !== undefined && refusedConnection(cause));
}

/**
 * `read` through a kafkajs client while a broker is down: its connection to
 * the crashed broker (or metadata naming it) can take a request first, and
 * with the tests' short retries kafkajs gives up on it. Asked again until a
 * live broker answers, or `timeoutMs`; any other failure is the test's.
 */
export async function pastACrash<T>(read: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (!refusedConnection(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The group's committed offset per partition of `topic` (OffsetFetch through kafkajs); partitions without one are left out. */
export async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<Map<number, bigint>> {
  const [answer] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const committed = new Map<number, bigint>();
  for (const p of answer?.partitions ?? []) if (p.offset !== '-1') committed.set(p.partition, BigInt(p.offset));
  return committed;
}

/** The high watermark of each partition of `topic`. */
export async function endOffsets(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
}

/** Waits until the group has committed every partition of `topic` up to its high watermark (nothing left to consume). */
export async function waitForCommittedToEnd(admin: Admin, groupId: string, topic: string, timeoutMs = 20_000): Promise<Map<number, bigint>> {
  const ends = await endOffsets(admin, topic);
  let committed = new Map<number, bigint>();
  try {
    await waitFor(
      `group ${groupId} to commit ${topic} up to its end offsets`,
      async () => {
        committed = await committedOffsets(admin, groupId, topic);
        return [...ends].every(([p, end]) => end === 0n || committed.get(p) === end);
      },
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; end offsets ${format(ends)}, committed ${format(committed)}`);
  }
  return committed;
}

function format(offsets: ReadonlyMap<number, bigint>): string {
  return `{${[...offsets]
    .sort(([a], [b]) => a - b)
    .map(([p, o]) => `${p}: ${o}`)
    .join(', ')}}`;
}

/** Values produced but never delivered, and values delivered more than once (with how many times). */
export function deliveryFaults(produced: readonly string[], deliveries: readonly Delivery[]): { missing: string[]; duplicated: string[] } {
  const seen = new Map<string, number>();
  for (const d of deliveries) seen.set(d.value, (seen.get(d.value) ?? 0) + 1);
  return {
    missing: produced.filter((v) => !seen.has(v)),
    duplicated: [...seen].filter(([, n]) => n > 1).map(([v, n]) => `${v} ×${n}`),
  };
}

/** `count` values named for `prefix`, spread over `partitions` partitions round robin, as kafkajs messages. */
export function numberedMessages(prefix: string, count: number, partitions: number): Array<{ value: string; partition: number }> {
  return Array.from({ length: count }, (_, i) => ({ value: `${prefix}-${i}`, partition: i % partitions }));
}

/**
 * Sends one record to each of `partitions` partitions every 20 ms (acks=-1) until stopped. A value is
 * acknowledged only when its partition is in the send's answer without an error: around a leader's
 * crash kafkajs can resolve a send whose answer leaves a partition out. Failed sends are kept as errors.
 */
export function streamUntilStopped(producer: Producer, topic: string, partitions: number) {
  const acknowledged: string[] = [];
  const errors: string[] = [];
  let stopped = false;
  const loop = (async () => {
    for (let n = 0; !stopped; n++) {
      const messages = Array.from({ length: partitions }, (_, partition) => ({ value: `r${n}-p${partition}`, partition }));
      try {
        const answers = await producer.send({ topic, acks: -1, timeout: 5_000, messages });
        const answered = new Set(answers.filter((a) => a.errorCode === 0).map((a) => a.partition));
        acknowledged.push(...messages.filter((m) => answered.has(m.partition)).map((m) => m.value));
      } catch (error) {
        errors.push(`round ${n}: ${(error as Error).name}: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    acknowledged,
    errors,
    async stop(): Promise<void> {
      stopped = true;
      await loop;
    },
  };
}
