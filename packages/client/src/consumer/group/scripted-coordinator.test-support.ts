// A scripted group coordinator on a FakeBroker and a host that records what
// the member hands it, for GroupMember's tests: every request and callback
// goes to one log, in order.
import { FindCoordinator, Heartbeat, JoinGroup, LeaveGroup, OffsetCommit, OffsetFetch, SyncGroup, encodeAssignment, type RequestOf, type ResponseOf } from '@kstream/protocol';
import { ClusterClient } from '../../cluster/index.js';
import { FakeBroker } from '../../testing/fake-broker.test-support.js';
import { type TopicPartition, partitionKey } from '../assignors/assignor.js';
import { groupByTopic } from './consumer-protocol.js';
import type { GroupHost } from './group-host.js';
import { GroupMember } from './group-member.js';
import type { GroupMemberOptions } from './group-member-options.js';

export const GROUP = 'orders-readers';

export type JoinRequest = RequestOf<typeof JoinGroup>;
export type SyncRequest = RequestOf<typeof SyncGroup>;

/**
 * A scripted coordinator: it finds itself as the coordinator, answers
 * JoinGroup and SyncGroup with what the test's functions return, Heartbeat
 * with `heartbeatError`, and keeps commits. Everything a member does is
 * appended to `log`, with the host's and the listener's callbacks, so tests
 * can check the order.
 */
export class ScriptedCoordinator {
  readonly log: string[] = [];
  readonly committed = new Map<string, bigint>();
  /** Answered to the next heartbeat only. */
  heartbeatError = 0;
  commitError = 0;
  /** Sees every OffsetCommit before it is answered. */
  onCommit: ((body: RequestOf<typeof OffsetCommit>) => void) | undefined;
  /** How long JoinGroup keeps the member waiting, as a coordinator waiting for the rest of the group does. */
  joinDelayMs = 0;
  findCoordinatorCalls = 0;
  broker!: FakeBroker;

  constructor(
    private readonly join: (request: JoinRequest, count: number) => Partial<ResponseOf<typeof JoinGroup>>,
    private readonly sync: (request: SyncRequest, count: number) => { errorCode?: number; assignment?: TopicPartition[] },
  ) {}

  async start(topics: Record<string, number>): Promise<this> {
    let joins = 0;
    let syncs = 0;
    this.broker = await FakeBroker.start({
      topics,
      handlers: {
        [FindCoordinator.apiKey]: (_body, version) => {
          this.findCoordinatorCalls++;
          const address = { nodeId: this.broker.nodeId, host: this.broker.host, port: this.broker.port };
          return {
            throttleTimeMs: 0,
            errorCode: 0,
            errorMessage: null,
            ...address,
            coordinators: version >= 4 ? [{ key: GROUP, ...address, errorCode: 0, errorMessage: null }] : [],
          };
        },
        [JoinGroup.apiKey]: async (body: JoinRequest) => {
          this.log.push(`JoinGroup ${body.memberId || '(no id)'}`);
          await new Promise((resolve) => setTimeout(resolve, this.joinDelayMs));
          return {
            throttleTimeMs: 0,
            errorCode: 0,
            generationId: 1,
            protocolType: 'consumer',
            protocolName: body.protocols[0]!.name,
            leader: 'other',
            skipAssignment: false,
            memberId: body.memberId || 'member-1',
            members: [],
            ...this.join(body, joins++),
          };
        },
        [SyncGroup.apiKey]: (body: SyncRequest) => {
          this.log.push(`SyncGroup ${body.generationId}`);
          const { errorCode = 0, assignment = [] } = this.sync(body, syncs++);
          return {
            throttleTimeMs: 0,
            errorCode,
            protocolType: 'consumer',
            protocolName: body.protocolName,
            assignment: errorCode === 0 ? encodeAssignment({ assignedPartitions: groupByTopic(assignment), userData: null }, 0) : Buffer.alloc(0),
          };
        },
        [Heartbeat.apiKey]: () => {
          const errorCode = this.heartbeatError;
          this.heartbeatError = 0;
          return { throttleTimeMs: 0, errorCode };
        },
        [LeaveGroup.apiKey]: (body: RequestOf<typeof LeaveGroup>) => {
          this.log.push(`LeaveGroup ${body.members.map((m) => m.memberId).join(',') || body.memberId}`);
          return { throttleTimeMs: 0, errorCode: 0, members: body.members.map((m) => ({ ...m, errorCode: 0 })) };
        },
        [OffsetCommit.apiKey]: (body: RequestOf<typeof OffsetCommit>) => {
          const partitions = body.topics.flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partitionIndex}@${p.committedOffset}`));
          this.log.push(`OffsetCommit g${body.generationIdOrMemberEpoch} ${body.memberId} ${partitions.join(',')}`);
          this.onCommit?.(body);
          if (this.commitError === 0) {
            for (const t of body.topics) for (const p of t.partitions) this.committed.set(`${t.name}-${p.partitionIndex}`, p.committedOffset);
          }
          return {
            throttleTimeMs: 0,
            topics: body.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: this.commitError })) })),
          };
        },
        [OffsetFetch.apiKey]: (body: RequestOf<typeof OffsetFetch>, version: number) => {
          const asked = version >= 8 ? body.groups[0]!.topics! : body.topics!;
          this.log.push(`OffsetFetch${body.requireStable ? ' requireStable' : ''}`);
          const topics = asked.map((t) => ({
            name: t.name,
            partitions: t.partitionIndexes.map((partitionIndex) => ({
              partitionIndex,
              committedOffset: this.committed.get(`${t.name}-${partitionIndex}`) ?? -1n,
              committedLeaderEpoch: -1,
              metadata: '',
              errorCode: 0,
            })),
          }));
          return { throttleTimeMs: 0, topics, errorCode: 0, groups: [{ groupId: GROUP, topics, errorCode: 0 }] };
        },
      },
    });
    return this;
  }

  requests<T = any>(apiKey: number): T[] {
    return this.broker.requestsOf(apiKey).map((r) => r.body as T);
  }
}

export class RecordingHost implements GroupHost {
  readonly positions = new Map<string, bigint>();

  constructor(
    readonly cluster: ClusterClient,
    private readonly log: string[],
    public topics: string[],
  ) {}

  subscribedTopics(): readonly string[] {
    return this.topics;
  }

  partitionsRevoking(partitions: readonly TopicPartition[]): void {
    this.log.push(`host revoking ${keys(partitions)}`);
  }

  async partitionsRevoked(partitions: TopicPartition[]): Promise<void> {
    this.log.push(`host revoked ${keys(partitions)}`);
  }

  async partitionsAssigned(partitions: readonly (TopicPartition & { committed: bigint | null })[]): Promise<void> {
    this.log.push(`host assigned ${partitions.map((p) => `${partitionKey(p)}@${p.committed}`).join(',')}`);
  }

  async partitionsLost(partitions: TopicPartition[]): Promise<void> {
    this.log.push(`host lost ${keys(partitions)}`);
  }

  consumedPositions(partitions?: readonly TopicPartition[]): (TopicPartition & { offset: bigint; leaderEpoch: number })[] {
    const wanted = partitions === undefined ? null : new Set(partitions.map(partitionKey));
    return [...this.positions]
      .filter(([key]) => wanted === null || wanted.has(key))
      .map(([key, offset]) => {
        const [, topic, partition] = /^(.*)-(\d+)$/.exec(key)!;
        return { topic: topic!, partition: Number(partition), offset, leaderEpoch: -1 };
      });
  }
}

export function keys(partitions: readonly TopicPartition[]): string {
  return partitions.map(partitionKey).join(',');
}

export const tp = (partition: number, topic = 't'): TopicPartition => ({ topic, partition });

/** Starts the coordinator and a member of its group (not yet started); what to close goes to `cleanups`. */
export async function setUp(
  cleanups: (() => Promise<void>)[],
  coordinator: ScriptedCoordinator,
  options: Partial<GroupMemberOptions> = {},
  topics: Record<string, number> = { t: 3 },
): Promise<{ member: GroupMember; host: RecordingHost; log: string[] }> {
  await coordinator.start(topics);
  cleanups.push(() => coordinator.broker.close());
  const cluster = new ClusterClient({ bootstrap: coordinator.broker.address, retryBackoffMs: 10, retryBackoffMaxMs: 50 });
  await cluster.connect();
  cleanups.push(() => cluster.close());
  const log = coordinator.log;
  const host = new RecordingHost(cluster, log, Object.keys(topics));
  const member = new GroupMember(host, {
    groupId: GROUP,
    heartbeatIntervalMs: 20,
    sessionTimeoutMs: 1000,
    autoCommitIntervalMs: 60_000,
    rebalanceListener: {
      onAssigned: (p) => void log.push(`onAssigned ${keys(p)}`),
      onRevoked: (p) => void log.push(`onRevoked ${keys(p)}`),
      onLost: (p) => void log.push(`onLost ${keys(p)}`),
    },
    ...options,
  });
  cleanups.push(() => member.leave());
  return { member, host, log };
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000, step?: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (await step?.(); !condition(); await step?.()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
