// The group coordinator moving on a real node, seen through raw protocol
// requests (issue 11): offsets committed by a group member and by a consumer
// outside any group are served, every one of them, by the broker that leads
// the group's __consumer_offsets partition after the coordinator's broker
// crashes (RF 3); the control API's groupLag follows the move. A broker cut
// from the controller stops coordinating before another takes over. And a
// 1-broker node creates __consumer_offsets without being told its
// replication factor. (The kafkajs members across a coordinator crash are
// group-coordinator-crash.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTopics, ErrorCode, FindCoordinator, OffsetCommit, OffsetFetch } from '@kstream/protocol';
import { makeTempDir, removeDir } from '../src/cluster.test-support.js';
import { LogCapture } from '../src/log-capture.test-support.js';
import { startCluster } from '../src/start-cluster.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { FAST_FAILOVER, partitionViews, produceAcknowledged, REPLICATED, withConnection } from './failover.test-support.js';
import { findCoordinator, GROUP_CONFIGS, waitForCoordinator } from './groups.test-support.js';
import { errorName, RawConnection } from './raw-connection.test-support.js';
import { stableGroupOfOne, waitForCoordinatorReady } from './raw-group-requests.test-support.js';
import { topicMetadata } from './raw-requests.test-support.js';

const PARTITIONS = 4;
/** Each partition's committed offset, leader epoch and metadata: distinct, so a mixed-up answer shows. */
const commitOf = (partition: number) => ({ offset: BigInt(10 + partition), leaderEpoch: partition, metadata: `m${partition}` });

/** OffsetCommit v8 of every partition of `topic` (commitOf), as member `memberId` of `generationId`, or a simple commit (-1, ''). */
async function commitAll(conn: RawConnection, groupId: string, topic: string, generationId = -1, memberId = ''): Promise<void> {
  const response = await conn.request(OffsetCommit, 8, {
    groupId,
    generationIdOrMemberEpoch: generationId,
    memberId,
    groupInstanceId: null,
    topics: [
      {
        name: topic,
        partitions: Array.from({ length: PARTITIONS }, (_, partitionIndex) => {
          const { offset, leaderEpoch, metadata } = commitOf(partitionIndex);
          return { partitionIndex, committedOffset: offset, committedLeaderEpoch: leaderEpoch, commitTimestamp: -1n, committedMetadata: metadata };
        }),
      },
    ],
  });
  const errors = response.topics.flatMap((t) => t.partitions).filter((p) => p.errorCode !== ErrorCode.NONE);
  expect(
    errors.map((p) => `${p.partitionIndex}: ${errorName(p.errorCode)}`),
    `commit of group ${groupId}`,
  ).toEqual([]);
}

/** OffsetFetch v8 of every committed partition of `groupId`: "partition offset/epoch/metadata" in partition order. */
async function fetchAll(conn: RawConnection, groupId: string, topic: string): Promise<string[]> {
  const response = await conn.request(OffsetFetch, 8, { groups: [{ groupId, memberId: null, memberEpoch: -1, topics: null }], requireStable: false });
  const group = response.groups[0]!;
  expect(errorName(group.errorCode), `OffsetFetch of group ${groupId}`).toBe(errorName(ErrorCode.NONE));
  return group.topics
    .filter((t) => t.name === topic)
    .flatMap((t) => t.partitions)
    .sort((a, b) => a.partitionIndex - b.partitionIndex)
    .map((p) => `${p.partitionIndex} ${p.committedOffset}/${p.committedLeaderEpoch}/${p.metadata}`);
}

const expectedCommits = Array.from({ length: PARTITIONS }, (_, p) => `${p} ${commitOf(p).offset}/${commitOf(p).leaderEpoch}/${commitOf(p).metadata}`);

describe('the group coordinator moves (raw protocol, RF 3)', () => {
  let node: CompatCluster;

  beforeAll(async () => {
    node = await CompatCluster.start('groups-coordinator-move', { ...REPLICATED, ...GROUP_CONFIGS }, FAST_FAILOVER);
  });

  afterAll(async () => {
    await node?.stop();
  });

  it("everyCommittedOffsetServedByTheNextCoordinator: a member's and a simple consumer's commits, each partition's offset, epoch and metadata", async () => {
    const admin = await node.admin();
    const topic = topicName('coordinator-move');
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 3 }], waitForLeaders: true });
    const memberGroup = topicName('move-member');
    const simpleGroup = topicName('move-simple');
    await waitForCoordinator(node, memberGroup, 'any broker once __consumer_offsets exists', () => true);
    const coordinator = await findCoordinator(node, memberGroup);
    await withConnection(node, coordinator, async (conn) => {
      await waitForCoordinatorReady(conn, memberGroup);
      const { memberId, generationId } = await stableGroupOfOne(conn, memberGroup, topic);
      await commitAll(conn, memberGroup, topic, generationId, memberId);
    });
    const simpleCoordinator = await findCoordinator(node, simpleGroup);
    await withConnection(node, simpleCoordinator, async (conn) => {
      await waitForCoordinatorReady(conn, simpleGroup);
      await commitAll(conn, simpleGroup, topic);
    });

    // Records beyond the commits on every partition, each sent to its leader: the lag is known wherever the partition is led.
    for (const { partition, leader } of await partitionViews(node, topic)) {
      await produceAcknowledged(
        node,
        leader,
        topic,
        partition,
        Array.from({ length: 20 + partition }, (_, i) => `r${i}`),
        -1,
      );
    }
    const lagBefore = await node.cluster.control.groupLag(memberGroup);
    expect(lagBefore?.partitions.map((p) => `${p.partition} ${p.committedOffset} ${p.logEndOffset} ${p.lag}`)).toEqual(
      Array.from({ length: PARTITIONS }, (_, p) => `${p} ${10 + p} ${20 + p} 10`),
    );
    expect(lagBefore?.totalLag).toBe(BigInt(10 * PARTITIONS));

    await node.cluster.control.crashBroker(coordinator);
    const asked = coordinator === 1 ? 2 : 1;
    const next = await waitForCoordinator(node, memberGroup, `another broker than ${coordinator}`, (b) => b !== coordinator, asked);
    await withConnection(node, next, async (conn) => {
      await waitForCoordinatorReady(conn, memberGroup);
      expect(await fetchAll(conn, memberGroup, topic), `group ${memberGroup} on broker ${next} after broker ${coordinator} crashed`).toEqual(expectedCommits);
    });
    const simpleNext = await waitForCoordinator(node, simpleGroup, `a live broker other than ${coordinator}`, (b) => b !== coordinator, asked);
    await withConnection(node, simpleNext, async (conn) => {
      await waitForCoordinatorReady(conn, simpleGroup);
      expect(await fetchAll(conn, simpleGroup, topic), `group ${simpleGroup} on broker ${simpleNext}`).toEqual(expectedCommits);
    });
    // Each moved partition's lag is known again once its new leader has applied its election.
    await expect
      .poll(async () => (await node.cluster.control.groupLag(memberGroup))?.partitions.map((p) => `${p.partition} ${p.committedOffset} ${p.lag !== undefined}`), {
        timeout: 10_000,
      })
      .toEqual(Array.from({ length: PARTITIONS }, (_, p) => `${p} ${10 + p} true`));
  }, 60_000);
});

describe('a coordinator cut from the controller (raw protocol, RF 3)', () => {
  let node: CompatCluster;

  beforeAll(async () => {
    node = await CompatCluster.start('groups-coordinator-cut', { ...REPLICATED, ...GROUP_CONFIGS }, FAST_FAILOVER);
  });

  afterAll(async () => {
    await node?.stop();
  });

  it('aBrokerCutFromTheControllerStopsCoordinating: once another broker serves the group, the cut one answers NOT_COORDINATOR, never its stale offsets', async () => {
    const admin = await node.admin();
    const topic = topicName('coordinator-cut');
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 3 }], waitForLeaders: true });
    const group = topicName('cut-simple');
    await waitForCoordinator(node, group, 'any broker once __consumer_offsets exists', () => true);
    const cut = await findCoordinator(node, group);
    await withConnection(node, cut, async (conn) => {
      await waitForCoordinatorReady(conn, group);
      await commitAll(conn, group, topic);
    });

    await node.cluster.control.cutController(cut);
    try {
      const asked = cut === 1 ? 2 : 1;
      const next = await waitForCoordinator(node, group, `a broker other than ${cut}, cut from the controller`, (b) => b !== cut, asked);
      await withConnection(node, next, async (conn) => {
        await waitForCoordinatorReady(conn, group);
        expect(await fetchAll(conn, group, topic)).toEqual(expectedCommits);
      });
      await withConnection(node, cut, async (conn) => {
        const response = await conn.request(OffsetFetch, 8, { groups: [{ groupId: group, memberId: null, memberEpoch: -1, topics: null }], requireStable: false });
        expect(errorName(response.groups[0]!.errorCode), `OffsetFetch of ${group} on broker ${cut}, cut from the controller`).toBe(errorName(ErrorCode.NOT_COORDINATOR));
      });
    } finally {
      await node.cluster.control.healController(cut);
    }
    expect(node.logs.lines.some((line) => line.startsWith(`WARN broker ${cut}: no heartbeat acknowledged by the controller`))).toBe(true);
  }, 60_000);
});

describe('a 1-broker node', () => {
  it('createsTheOffsetsTopicWithReplicationFactorOne: no config, FindCoordinator names broker 1 and a commit is served', async () => {
    const dataDir = await makeTempDir('groups-one-broker');
    const cluster = await startCluster({ brokers: 1, dataDir, port: 0, logger: new LogCapture(), config: { 'offsets.topic.num.partitions': '3' } });
    try {
      const conn = await RawConnection.open(cluster.brokers[0]!.port);
      try {
        const found = async () => (await conn.request(FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['solo'] })).coordinators[0]!;
        await expect.poll(async () => (await found()).errorCode, { timeout: 10_000, interval: 100 }).toBe(ErrorCode.NONE);
        expect((await found()).nodeId).toBe(1);
        const [offsets] = await topicMetadata(conn, ['__consumer_offsets']);
        expect(offsets?.partitions.map((p) => p.replicaNodes)).toEqual([[1], [1], [1]]);
        await waitForCoordinatorReady(conn, 'solo');
        const created = await conn.request(CreateTopics, 5, {
          topics: [{ name: 'solo-topic', numPartitions: PARTITIONS, replicationFactor: -1, assignments: [], configs: [] }],
          timeoutMs: 10_000,
          validateOnly: false,
        });
        expect(created.topics[0]!.errorCode).toBe(ErrorCode.NONE);
        await commitAll(conn, 'solo', 'solo-topic');
        expect(await fetchAll(conn, 'solo', 'solo-topic')).toEqual(expectedCommits);
      } finally {
        conn.close();
      }
    } finally {
      await cluster.stop();
      await removeDir(dataDir);
    }
  }, 30_000);
});
