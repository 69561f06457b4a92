// The group APIs through the broker's handlers, over a real ReplicaManager:
// what a member does reaches __consumer_offsets on disk in Kafka's formats,
// and a coordinator that loses and regains its partition loads it back.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeCoordinatorRead, type CoordinatorRecord } from '@kstream/group-coordinator';
import type { MetadataRecord } from '@kstream/metadata';
import { DescribeGroups, ErrorCode, JoinGroup, ListGroups, OffsetCommit, OffsetFetch, SyncGroup } from '@kstream/protocol';
import { describeGroupsHandler } from '../handlers/describe-groups-handler.js';
import { NO_RESPONSE } from '../handlers/handler.js';
import { joinGroupHandler } from '../handlers/join-group-handler.js';
import { listGroupsHandler } from '../handlers/list-groups-handler.js';
import { offsetCommitHandler } from '../handlers/offset-commit-handler.js';
import { offsetFetchHandler } from '../handlers/offset-fetch-handler.js';
import { syncGroupHandler } from '../handlers/sync-group-handler.js';
import { clusterRecords, overTheWire, testBroker, type TestBroker } from '../partitions/broker-services.test-support.js';
import { GROUP_METADATA_TOPIC } from '@kstream/metadata';

const OFFSETS_TOPIC_ID = '0ff5e750-0000-4000-8000-000000000001';
const GROUP = 'billing';
/** __consumer_offsets' partitions, all led by broker 1 at first. */
const PARTITIONS = 3;
const ASSIGNMENT = Buffer.from('assigned: orders-0');

async function groupsBroker(): Promise<TestBroker> {
  const orders = { name: 'orders', topicId: '0dde0000-0000-4000-8000-000000000001' };
  return testBroker(clusterRecords({ name: GROUP_METADATA_TOPIC, topicId: OFFSETS_TOPIC_ID, partitions: PARTITIONS }, orders), {
    'group.initial.rebalance.delay.ms': '0',
  });
}

/** A handler's response; group APIs always answer. */
function answered<T>(response: T): Exclude<T, typeof NO_RESPONSE> {
  if (response === NO_RESPONSE) throw new Error('the handler gave no response');
  return response as Exclude<T, typeof NO_RESPONSE>;
}

/** Asks until the coordinator no longer answers COORDINATOR_LOAD_IN_PROGRESS: a load runs after the election. */
async function loaded(broker: TestBroker): Promise<void> {
  await expect.poll(async () => answered(await listGroupsHandler.handle({ statesFilter: [], typesFilter: [] }, broker.context(ListGroups, 4))).errorCode).toBe(ErrorCode.NONE);
}

/** One member joins (v5: MEMBER_ID_REQUIRED first), leads, syncs its assignment and commits orders-0 at `offset`. */
async function joinSyncCommit(broker: TestBroker, offset: bigint): Promise<{ memberId: string; generationId: number }> {
  const join = (memberId: string) =>
    joinGroupHandler.handle(
      {
        groupId: GROUP,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: Buffer.from('subscription') }],
        reason: null,
      },
      broker.context(JoinGroup, 5),
    );
  const first = overTheWire(JoinGroup, 5, answered(await join('')));
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  const joined = overTheWire(JoinGroup, 5, answered(await join(first.memberId)));
  expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, leader: first.memberId, memberId: first.memberId, protocolName: 'range' });
  const { memberId, generationId } = joined;
  const synced = await syncGroupHandler.handle(
    { groupId: GROUP, generationId, memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId, assignment: ASSIGNMENT }] },
    broker.context(SyncGroup, 3),
  );
  expect(synced).toMatchObject({ errorCode: ErrorCode.NONE, assignment: ASSIGNMENT });
  const committed = await offsetCommitHandler.handle(
    {
      groupId: GROUP,
      generationIdOrMemberEpoch: generationId,
      memberId,
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: 4, commitTimestamp: -1n, committedMetadata: 'm' }] }],
    },
    broker.context(OffsetCommit, 7),
  );
  expect(committed).toMatchObject({ topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE }] }] });
  return { memberId, generationId };
}

async function fetchCommitted(broker: TestBroker): Promise<{ errorCode: number; offset?: bigint; metadata?: string | null }> {
  const response = answered(
    await offsetFetchHandler.handle({ groupId: GROUP, topics: [{ name: 'orders', partitionIndexes: [0] }], groups: [], requireStable: false }, broker.context(OffsetFetch, 5)),
  );
  const partition = response.topics[0]?.partitions[0];
  if (response.errorCode !== ErrorCode.NONE) return { errorCode: response.errorCode };
  return { errorCode: partition!.errorCode, offset: partition!.committedOffset, metadata: partition!.metadata };
}

/** Every record in the group's __consumer_offsets partition, read from its segment file. */
async function recordsOnDisk(broker: TestBroker): Promise<CoordinatorRecord[]> {
  const partition = coordinatorPartitionOf(broker);
  const file = join(broker.services.partitions.logDir, `${GROUP_METADATA_TOPIC}-${partition}`, '00000000000000000000.log');
  const { records } = await decodeCoordinatorRead(await readFile(file), partition);
  return records.map((r) => r.record);
}

function coordinatorPartitionOf(broker: TestBroker): number {
  const led = broker.services.partitions.hostedPartitions().filter((p) => p.topic === GROUP_METADATA_TOPIC && p.logEndOffset > 0n);
  expect(led).toHaveLength(1);
  return led[0]!.partition;
}

function leadership(partition: number, leader: number, leaderEpoch: number): MetadataRecord {
  return { type: 'Partition', topicId: OFFSETS_TOPIC_ID, partition, replicas: [1, 2], isr: [1, 2], leader, leaderEpoch, partitionEpoch: leaderEpoch };
}

describe('group handlers over __consumer_offsets', () => {
  it("joinSyncCommitWriteKafkasRecordsToDisk: the group with its member and assignment, then the offset, in the group's partition", async () => {
    const broker = await groupsBroker();
    await loaded(broker);
    const { memberId, generationId } = await joinSyncCommit(broker, 42n);
    expect(await fetchCommitted(broker)).toEqual({ errorCode: ErrorCode.NONE, offset: 42n, metadata: 'm' });

    const records = await recordsOnDisk(broker);
    const stored = records.filter((r) => r.type === 'group').at(-1);
    expect(stored).toMatchObject({
      type: 'group',
      group: GROUP,
      value: {
        protocolType: 'consumer',
        generation: generationId,
        protocol: 'range',
        leader: memberId,
        members: [{ memberId, clientId: 'test', clientHost: '/127.0.0.1', sessionTimeout: 10_000, assignment: ASSIGNMENT }],
      },
    });
    expect(records.at(-1)).toMatchObject({
      type: 'offset',
      key: { group: GROUP, topic: 'orders', partition: 0 },
      value: { offset: 42n, leaderEpoch: 4, metadata: 'm' },
    });
  });

  it('commitToATopicMetadataDoesNotKnow: UNKNOWN_TOPIC_OR_PARTITION, nothing written', async () => {
    const broker = await groupsBroker();
    await loaded(broker);
    const answer = answered(
      await offsetCommitHandler.handle(
        {
          groupId: GROUP,
          generationIdOrMemberEpoch: -1,
          memberId: '',
          groupInstanceId: null,
          retentionTimeMs: -1n,
          topics: [{ name: 'nope', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: '' }] }],
        },
        broker.context(OffsetCommit, 7),
      ),
    );
    expect(answer.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const written = broker.services.partitions.hostedPartitions().filter((p) => p.topic === GROUP_METADATA_TOPIC && p.logEndOffset > 0n);
    expect(written).toEqual([]);
  });

  it('leadershipMovesAwayAndBack: NOT_COORDINATOR while another broker leads the partition; led again, the group and its offsets are loaded back', async () => {
    const broker = await groupsBroker();
    await loaded(broker);
    const { memberId } = await joinSyncCommit(broker, 7n);
    const partition = coordinatorPartitionOf(broker);

    await broker.push([leadership(partition, 2, 1)]);
    expect(await fetchCommitted(broker)).toEqual({ errorCode: ErrorCode.NOT_COORDINATOR });

    await broker.push([leadership(partition, 1, 2)]);
    await expect.poll(async () => (await fetchCommitted(broker)).errorCode).toBe(ErrorCode.NONE);
    expect(await fetchCommitted(broker)).toEqual({ errorCode: ErrorCode.NONE, offset: 7n, metadata: 'm' });
    const described = await describeGroupsHandler.handle({ groups: [GROUP], includeAuthorizedOperations: false }, broker.context(DescribeGroups, 4));
    expect(described).toMatchObject({
      groups: [{ errorCode: ErrorCode.NONE, groupState: 'Stable', protocolData: 'range', members: [{ memberId, clientHost: '/127.0.0.1', memberAssignment: ASSIGNMENT }] }],
    });
  });
});
