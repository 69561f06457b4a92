import { ErrorCode, JoinGroup, OffsetCommit, SyncGroup, decodeSubscription, type RequestOf } from '@kstream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterClient } from '../../cluster/index.js';
import { KafkaConfigError, KafkaProtocolError } from '../../errors/index.js';
import { GroupMember } from './group-member.js';
import type { GroupMemberOptions } from './group-member-options.js';
import { type JoinRequest, RecordingHost, ScriptedCoordinator, type SyncRequest, setUp as setUpWith, tp, waitFor } from './scripted-coordinator.test-support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const setUp = (coordinator: ScriptedCoordinator, options?: Partial<GroupMemberOptions>, topics?: Record<string, number>) => setUpWith(cleanups, coordinator, options, topics);

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
      'host revoking t-0,t-1',
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

  it('leaderRejoinsWhenATopicOfTheGroupGainsPartitionsOrIsCreated', async () => {
    const topics: Record<string, number> = { t: 2 };
    const coordinator = new ScriptedCoordinator(
      (request, count) => ({
        generationId: count + 1,
        leader: request.memberId || 'member-1',
        members: [{ memberId: request.memberId || 'member-1', groupInstanceId: null, metadata: request.protocols[0]!.metadata }],
      }),
      (request) => ({ assignment: request.assignments.length === 0 ? [] : [tp(0)] }),
    );
    const { member, host } = await setUp(coordinator, {}, topics);
    host.topics = ['t', 'later'];
    await member.start();
    topics.t = 4;
    await host.cluster.refreshMetadata();
    await member.ensureActive();
    expect(member.generationId).toBe(2);
    topics.later = 3;
    await host.cluster.refreshMetadata();
    await member.ensureActive();
    expect(member.generationId).toBe(3);
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
      'host revoking t-1',
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
    const coordinator = new ScriptedCoordinator(
      () => ({}),
      () => ({ assignment: [tp(0)] }),
    );
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
    const coordinator = new ScriptedCoordinator(
      () => ({}),
      () => ({ assignment: [tp(0)] }),
    );
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
    const coordinator = new ScriptedCoordinator(
      () => ({}),
      () => ({ assignment: [tp(0)] }),
    );
    const { member, log } = await setUp(coordinator);
    await member.start();
    await member.leave();
    expect(log.slice(-3)).toEqual(['onRevoked t-0', 'host revoked t-0', 'LeaveGroup member-1']);
  });

  it('fencedInstanceIdIsFatal', async () => {
    const coordinator = new ScriptedCoordinator(
      () => ({}),
      () => ({ assignment: [tp(0)] }),
    );
    const { member } = await setUp(coordinator, { groupInstanceId: 'reader-a' });
    await member.start();
    coordinator.heartbeatError = ErrorCode.FENCED_INSTANCE_ID;
    let error: unknown;
    await waitFor(
      () => error !== undefined,
      'the member to be fenced',
      5000,
      async () => {
        error = await member.ensureActive().then(
          () => undefined,
          (e: unknown) => e,
        );
      },
    );
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
    const coordinator = new ScriptedCoordinator(
      () => ({}),
      () => ({ assignment: [tp(0), tp(1)] }),
    );
    const { member, host } = await setUp(coordinator, { autoCommitIntervalMs: 30 });
    await member.start();
    host.positions.set('t-1', 7n);
    await waitFor(() => coordinator.committed.get('t-1') === 7n, 'the auto-commit');
  });

  it('autoCommitsManuallyAssignedPartitionsOutsideAnyGeneration', async () => {
    const coordinator = new ScriptedCoordinator(
      () => ({}),
      () => ({}),
    );
    const { member, host, log } = await setUp(coordinator, { autoCommitIntervalMs: 30 });
    host.positions.set('t-2', 9n);
    member.polled();
    await waitFor(() => coordinator.committed.get('t-2') === 9n, 'the auto-commit');
    host.positions.set('t-1', 4n);
    await waitFor(() => coordinator.committed.get('t-1') === 4n, 'the second auto-commit');
    // Only what moved is committed again.
    expect(log.slice(0, 2)).toEqual(['OffsetCommit g-1  t-2@9', 'OffsetCommit g-1  t-1@4']);
    expect(log.some((l) => l.startsWith('JoinGroup'))).toBe(false);
  });

  it('fetchesStableOffsetsForReadCommitted', async () => {
    const coordinator = new ScriptedCoordinator(
      () => ({}),
      () => ({ assignment: [tp(0)] }),
    );
    const { member, log } = await setUp(coordinator, { isolationLevel: 'read_committed' });
    await member.start();
    expect(log).toContain('OffsetFetch requireStable');
    expect(await member.fetchCommitted([tp(2)])).toEqual(new Map([['t-2', null]]));
  });

  it('rethrowsAListenerErrorOnceTheJoinIsDone', async () => {
    const coordinator = new ScriptedCoordinator(
      () => ({}),
      () => ({ assignment: [tp(0)] }),
    );
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
