import {
  ErrorCode,
  FindCoordinator,
  Heartbeat,
  JoinGroup,
  LeaveGroup,
  OffsetCommit,
  OffsetFetch,
  SyncGroup,
  decodeSubscription,
  encodeAssignment,
  type RequestOf,
  type ResponseOf,
} from '@kstream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterClient } from '../../cluster/index.js';
import { KafkaConfigError, KafkaProtocolError } from '../../errors/index.js';
import { FakeBroker } from '../../testing/fake-broker.test-support.js';
import { type TopicPartition, partitionKey } from '../assignors/assignor.js';
import { groupByTopic } from './consumer-protocol.js';
import type { GroupHost } from './group-host.js';
import { GroupMember } from './group-member.js';
import type { GroupMemberOptions } from './group-member-options.js';

const GROUP = 'orders-readers';

type JoinRequest = RequestOf<typeof JoinGroup>;
type SyncRequest = RequestOf<typeof SyncGroup>;

/**
 * A scripted coordinator: it finds itself as the coordinator, answers
 * JoinGroup and SyncGroup with what the test's functions return, Heartbeat
 * with `heartbeatError`, and keeps commits. Everything a member does is
 * appended to `log`, with the host's and the listener's callbacks, so tests
 * can check the order.
 */
class ScriptedCoordinator {
  readonly log: string[] = [];
  readonly committed = new Map<string, bigint>();
  /** Answered to the next heartbeat only. */
  heartbeatError = 0;
  commitError = 0;
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

class RecordingHost implements GroupHost {
  readonly positions = new Map<string, bigint>();

  constructor(
    readonly cluster: ClusterClient,
    private readonly log: string[],
    public topics: string[],
  ) {}

  subscribedTopics(): readonly string[] {
    return this.topics;
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

function keys(partitions: readonly TopicPartition[]): string {
  return partitions.map(partitionKey).join(',');
}

const tp = (partition: number, topic = 't'): TopicPartition => ({ topic, partition });

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(
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

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000, step?: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (await step?.(); !condition(); await step?.()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('GroupMember', () => {
  it('joinsWithTheMemberIdTheCoordinatorRequiresAndAssignsAsLeader', async () => {
    const coordinator = new ScriptedCoordinator(
      (request, count) =>
        count === 0
          ? { errorCode: ErrorCode.MEMBER_ID_REQUIRED, memberId: 'member-7' }
          : { memberId: request.memberId, leader: request.memberId, members: [{ memberId: request.memberId, groupInstanceId: null, metadata: request.protocols[0]!.metadata }] },
      (request) => ({ assignment: [tp(0), tp(1), tp(2)].filter(() => request.assignments.length > 0) }),
    );
    const { member, log } = await setUp(coordinator, { assignors: ['roundrobin', 'range'] });
    coordinator.committed.set('t-1', 42n);
    await member.start();

    const joins = coordinator.requests<JoinRequest>(JoinGroup.apiKey);
    expect(joins.map((j) => j.memberId)).toEqual(['', 'member-7']);
    expect(joins[1]!.protocolType).toBe('consumer');
    expect(joins[1]!.protocols.map((p) => p.name)).toEqual(['roundrobin', 'range']);
    expect(decodeSubscription(joins[1]!.protocols[0]!.metadata)).toMatchObject({ topics: ['t'], ownedPartitions: [], version: 3 });
    const [sync] = coordinator.requests<SyncRequest>(SyncGroup.apiKey);
    expect(sync!.memberId).toBe('member-7');
    expect(sync!.assignments.map((a) => a.memberId)).toEqual(['member-7']);
    expect(log.slice(-3)).toEqual(['OffsetFetch', 'host assigned t-0@null,t-1@42,t-2@null', 'onAssigned t-0,t-1,t-2']);
    expect(member.memberId).toBe('member-7');
    expect(member.generationId).toBe(1);
    expect(member.rebalancing).toBe(false);
  });

  it('eagerRebalanceCommitsThenCallsOnRevokedThenHandsThePartitionsBack', async () => {
    const coordinator = new ScriptedCoordinator(
      (_request, count) => ({ generationId: count + 1 }),
      (_request, count) => ({ assignment: count === 0 ? [tp(0), tp(1)] : [tp(2)] }),
    );
    const { member, host, log } = await setUp(coordinator, { assignors: ['range'] });
    await member.start();
    host.positions.set('t-0', 10n);
    host.positions.set('t-1', 20n);
    const mark = log.length;
    coordinator.heartbeatError = ErrorCode.REBALANCE_IN_PROGRESS;
    await waitFor(() => member.generationId === 2 && !member.rebalancing, 'the member to rejoin on its own');
    expect(log.slice(mark)).toEqual([
      'OffsetCommit g1 member-1 t-0@10,t-1@20',
      'onRevoked t-0,t-1',
      'host revoked t-0,t-1',
      'JoinGroup member-1',
      'SyncGroup 2',
      'OffsetFetch',
      'host assigned t-2@null',
      'onAssigned t-2',
    ]);
    expect(member.assignment).toEqual([tp(2)]);
  });

  it('lostGenerationDropsThePartitionsWithoutACommit', async () => {
    const coordinator = new ScriptedCoordinator(
      (_request, count) => ({ generationId: count + 1 }),
      () => ({ assignment: [tp(0)] }),
    );
    const { member, host, log } = await setUp(coordinator, { assignors: ['range'] });
    await member.start();
    host.positions.set('t-0', 10n);
    const mark = log.length;
    coordinator.heartbeatError = ErrorCode.ILLEGAL_GENERATION;
    await waitFor(() => member.generationId === 2 && !member.rebalancing, 'the member to rejoin on its own');
    expect(log.slice(mark)).toEqual(['onLost t-0', 'host lost t-0', 'JoinGroup member-1', 'SyncGroup 2', 'OffsetFetch', 'host assigned t-0@null', 'onAssigned t-0']);
  });

  it('ensureActiveWaitsForAJoinAlreadyUnderWay', async () => {
    const coordinator = new ScriptedCoordinator(
      (_request, count) => ({ generationId: count + 1 }),
      () => ({ assignment: [tp(0)] }),
    );
    const { member } = await setUp(coordinator);
    await member.start();
    coordinator.joinDelayMs = 200;
    coordinator.heartbeatError = ErrorCode.REBALANCE_IN_PROGRESS;
    await waitFor(() => coordinator.log.at(-1) === 'JoinGroup member-1', 'the member to rejoin on its own');
    expect(member.rebalancing).toBe(true);
    await member.ensureActive();
    expect(member.generationId).toBe(2);
    expect(member.rebalancing).toBe(false);
  });

  it('unknownMemberIdRejoinsWithoutAMemberId', async () => {
    const coordinator = new ScriptedCoordinator(
      (request, count) => ({ generationId: count + 1, memberId: request.memberId || `member-${count + 1}` }),
      () => ({ assignment: [tp(0)] }),
    );
    const { member, log } = await setUp(coordinator, { assignors: ['range'] });
    await member.start();
    coordinator.heartbeatError = ErrorCode.UNKNOWN_MEMBER_ID;
    await waitFor(() => member.generationId === 2 && !member.rebalancing, 'the member to rejoin on its own');
    expect(log.filter((line) => line.startsWith('JoinGroup'))).toEqual(['JoinGroup (no id)', 'JoinGroup (no id)']);
    expect(member.memberId).toBe('member-2');
  });

  it('cooperativeRebalanceRevokesOnlyWhatMovesThenRejoins', async () => {
    const coordinator = new ScriptedCoordinator(
      (_request, count) => ({ generationId: count + 1 }),
      (_request, count) => ({ assignment: count === 0 ? [tp(0), tp(1)] : [tp(0)] }),
    );
    const { member, host, log } = await setUp(coordinator, { assignors: ['cooperative-sticky'] });
    await member.start();
    host.positions.set('t-0', 10n);
    host.positions.set('t-1', 20n);
    const mark = log.length;
    coordinator.heartbeatError = ErrorCode.REBALANCE_IN_PROGRESS;
    await waitFor(() => member.generationId === 3 && !member.rebalancing, 'the member to rejoin twice on its own');
    expect(log.slice(mark)).toEqual([
      'OffsetCommit g1 member-1 t-0@10,t-1@20',
      'JoinGroup member-1',
      'SyncGroup 2',
      'OffsetCommit g2 member-1 t-1@20',
      'onRevoked t-1',
      'host revoked t-1',
      'onAssigned ',
      // The follow-up rebalance lets t-1 move; t-0 was never revoked.
      'OffsetCommit g2 member-1 t-0@10',
      'JoinGroup member-1',
      'SyncGroup 3',
      'onAssigned ',
    ]);
    const joins = coordinator.requests<JoinRequest>(JoinGroup.apiKey);
    expect(decodeSubscription(joins[1]!.protocols[0]!.metadata)).toMatchObject({ ownedPartitions: [{ topic: 't', partitions: [0, 1] }], generationId: 1 });
    expect(decodeSubscription(joins[2]!.protocols[0]!.metadata)).toMatchObject({ ownedPartitions: [{ topic: 't', partitions: [0] }], generationId: 2 });
    expect(member.assignment).toEqual([tp(0)]);
  });

  it('looksUpTheCoordinatorAgainWhenItMoves', async () => {
    const coordinator = new ScriptedCoordinator(() => ({}), () => ({ assignment: [tp(0)] }));
    const { member } = await setUp(coordinator);
    await member.start();
    const lookups = coordinator.findCoordinatorCalls;
    coordinator.heartbeatError = ErrorCode.NOT_COORDINATOR;
    await waitFor(() => coordinator.findCoordinatorCalls > lookups, 'FindCoordinator after NOT_COORDINATOR');
    expect(member.rebalancing).toBe(false);
  });

  it('syncRebalanceInProgressJoinsAgain', async () => {
    const coordinator = new ScriptedCoordinator(
      (_request, count) => ({ generationId: count + 1 }),
      (_request, count) => (count === 0 ? { errorCode: ErrorCode.REBALANCE_IN_PROGRESS } : { assignment: [tp(1)] }),
    );
    const { member, log } = await setUp(coordinator);
    await member.start();
    expect(log.filter((l) => l.startsWith('JoinGroup') || l.startsWith('SyncGroup'))).toEqual(['JoinGroup (no id)', 'SyncGroup 1', 'JoinGroup member-1', 'SyncGroup 2']);
    expect(member.assignment).toEqual([tp(1)]);
  });

  it('staticMemberSendsItsInstanceIdAndNoLeaveGroup', async () => {
    const coordinator = new ScriptedCoordinator(() => ({}), () => ({ assignment: [tp(0)] }));
    const { member, host, log } = await setUp(coordinator, { groupInstanceId: 'reader-a' });
    await member.start();
    host.positions.set('t-0', 3n);
    await member.commit(host.consumedPositions());
    await member.leave();
    expect(coordinator.requests<JoinRequest>(JoinGroup.apiKey)[0]!.groupInstanceId).toBe('reader-a');
    expect(coordinator.requests<SyncRequest>(SyncGroup.apiKey)[0]!.groupInstanceId).toBe('reader-a');
    expect(coordinator.requests<RequestOf<typeof OffsetCommit>>(OffsetCommit.apiKey)[0]!.groupInstanceId).toBe('reader-a');
    expect(log.filter((l) => l.startsWith('LeaveGroup'))).toEqual([]);
    expect(log.slice(-2)).toEqual(['onRevoked t-0', 'host revoked t-0']);
  });

  it('dynamicMemberLeavesTheGroupOnClose', async () => {
    const coordinator = new ScriptedCoordinator(() => ({}), () => ({ assignment: [tp(0)] }));
    const { member, log } = await setUp(coordinator);
    await member.start();
    await member.leave();
    expect(log.slice(-3)).toEqual(['onRevoked t-0', 'host revoked t-0', 'LeaveGroup member-1']);
  });

  it('fencedInstanceIdIsFatal', async () => {
    const coordinator = new ScriptedCoordinator(() => ({}), () => ({ assignment: [tp(0)] }));
    const { member } = await setUp(coordinator, { groupInstanceId: 'reader-a' });
    await member.start();
    coordinator.heartbeatError = ErrorCode.FENCED_INSTANCE_ID;
    let error: unknown;
    await waitFor(() => error !== undefined, 'the member to be fenced', 5000, async () => {
      error = await member.ensureActive().then(() => undefined, (e: unknown) => e);
    });
    expect(error).toBeInstanceOf(KafkaProtocolError);
    expect((error as KafkaProtocolError).errorName).toBe('FENCED_INSTANCE_ID');
    await expect(member.commit([{ ...tp(0), offset: 1n }])).rejects.toThrow(/FENCED_INSTANCE_ID/);
  });

  it('maxPollIntervalExceededLeavesTheGroupAndRejoinsOnTheNextPoll', async () => {
    const coordinator = new ScriptedCoordinator(
      (request, count) => ({ generationId: count + 1, memberId: request.memberId || `member-${count + 1}` }),
      () => ({ assignment: [tp(0)] }),
    );
    const { member, host, log } = await setUp(coordinator, { maxPollIntervalMs: 200 });
    await member.start();
    host.positions.set('t-0', 5n);
    await waitFor(() => log.includes('host lost t-0'), 'LeaveGroup after maxPollIntervalMs');
    expect(log.slice(-3)).toEqual(['LeaveGroup member-1', 'onLost t-0', 'host lost t-0']);
    expect(member.rebalancing, 'nothing to do until the application polls').toBe(false);
    // A fetch round without a poll does not rejoin.
    await member.ensureActive();
    expect(member.assignment).toEqual([]);
    log.length = 0;
    member.polled();
    await member.ensureActive();
    expect(log).toEqual(['JoinGroup (no id)', 'SyncGroup 2', 'OffsetFetch', 'host assigned t-0@null', 'onAssigned t-0']);
    expect(coordinator.committed.size).toBe(0);
  });

  it('autoCommitsConsumedPositionsOnItsInterval', async () => {
    const coordinator = new ScriptedCoordinator(() => ({}), () => ({ assignment: [tp(0), tp(1)] }));
    const { member, host } = await setUp(coordinator, { autoCommitIntervalMs: 30 });
    await member.start();
    host.positions.set('t-1', 7n);
    await waitFor(() => coordinator.committed.get('t-1') === 7n, 'the auto-commit');
  });

  it('fetchesStableOffsetsForReadCommitted', async () => {
    const coordinator = new ScriptedCoordinator(() => ({}), () => ({ assignment: [tp(0)] }));
    const { member, log } = await setUp(coordinator, { isolationLevel: 'read_committed' });
    await member.start();
    expect(log).toContain('OffsetFetch requireStable');
    expect(await member.fetchCommitted([tp(2)])).toEqual(new Map([['t-2', null]]));
  });

  it('rethrowsAListenerErrorOnceTheJoinIsDone', async () => {
    const coordinator = new ScriptedCoordinator(() => ({}), () => ({ assignment: [tp(0)] }));
    const { member } = await setUp(coordinator, {
      rebalanceListener: {
        onAssigned: () => {
          throw new Error('listener broke');
        },
      },
    });
    await expect(member.start()).rejects.toThrow('listener broke');
    expect(member.assignment).toEqual([tp(0)]);
    await member.ensureActive();
  });

  it('rejectsBadOptionsNamingTheKey', async () => {
    const cluster = new ClusterClient({ bootstrap: '127.0.0.1:1' });
    const host = new RecordingHost(cluster, [], ['t']);
    expect(() => new GroupMember(host, { groupId: '' })).toThrow(KafkaConfigError);
    expect(() => new GroupMember(host, { groupId: 'g', heartbeatIntervalMs: 5000, sessionTimeoutMs: 3000 })).toThrow(/bad option heartbeatIntervalMs: 5000/);
    expect(() => new GroupMember(host, { groupId: 'g', assignors: ['sticky' as never] })).toThrow(/bad option assignors/);
    await cluster.close();
  });
});
