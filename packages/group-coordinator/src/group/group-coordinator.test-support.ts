import { ErrorCode, type JoinGroup, type OffsetCommit, type OffsetFetch, type RequestOf } from '@kstream/protocol';
import { encodeCoordinatorBatch, type CoordinatorRecord, type GroupMetadataValue } from '../records/index.js';
import { CapturingLogger, ManualTimers, MemoryCoordinatorLog, settle, testConfig } from './coordinator-log.test-support.js';
import type { GroupCoordinatorConfig, GroupRequestContext } from './coordinator-types.js';
import { GroupCoordinator } from './group-coordinator.js';

export interface CoordinatorFixture {
  readonly coordinator: GroupCoordinator;
  readonly log: MemoryCoordinatorLog;
  readonly timers: ManualTimers;
  readonly logger: CapturingLogger;
  config: GroupCoordinatorConfig;
  /** Leads partition `partition` of the log at `epoch` and tells the coordinator, then waits for the load to end (unless reads are held). */
  elect(partition?: number, epoch?: number): Promise<void>;
}

/** A coordinator over an in-memory __consumer_offsets of `partitions` partitions (1: every group on partition 0). */
export function coordinatorFixture(
  options: { log?: MemoryCoordinatorLog; timers?: ManualTimers; config?: Partial<GroupCoordinatorConfig>; partitions?: number; topicExists?: (topic: string) => boolean } = {},
): CoordinatorFixture {
  const log = options.log ?? new MemoryCoordinatorLog();
  const timers = options.timers ?? new ManualTimers();
  const logger = new CapturingLogger();
  const fixture: CoordinatorFixture = {
    log,
    timers,
    logger,
    config: testConfig(options.config),
    coordinator: undefined as unknown as GroupCoordinator,
    async elect(partition = 0, epoch = 0) {
      log.lead(partition, epoch);
      fixture.coordinator.onElection(partition, epoch);
      await settle();
      if (!log.readsHeld) await loadsEnded(fixture.coordinator);
    },
  };
  (fixture as { coordinator: GroupCoordinator }).coordinator = new GroupCoordinator({
    brokerId: 1,
    config: () => fixture.config,
    log,
    offsetsTopicPartitionCount: () => options.partitions ?? 1,
    topicExists: options.topicExists,
    logger,
    clock: timers.clock,
    timers,
  });
  return fixture;
}

/** Waits until no partition of `coordinator` is loading any more. */
export async function loadsEnded(coordinator: GroupCoordinator): Promise<void> {
  for (let round = 0; round < 1000; round++) {
    const { errorCode } = await coordinator.listGroups({ statesFilter: [], typesFilter: ['none'] }, context(5));
    if (errorCode !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error('the coordinator is still loading');
}

export function context(apiVersion: number): GroupRequestContext {
  return { apiVersion, clientId: 'test-client', clientHost: '/127.0.0.1' };
}

/** Appends `records` to the log as the coordinator of an earlier epoch would have. */
export async function seed(log: MemoryCoordinatorLog, partition: number, epoch: number, records: CoordinatorRecord[], timestampMs = 0n) {
  log.lead(partition, epoch);
  const { errorCode } = await log.append(partition, epoch, encodeCoordinatorBatch(records, timestampMs));
  if (errorCode !== 0) throw new Error(`seeding failed with error ${errorCode}`);
}

/** A consumer group stored Stable in generation `generation` with these members (the first one leads). */
export function storedGroup(generation: number, members: { memberId: string; groupInstanceId?: string; topics?: string[] }[]): GroupMetadataValue {
  return {
    protocolType: 'consumer',
    generation,
    protocol: 'range',
    leader: members[0]?.memberId ?? null,
    currentStateTimestamp: 0n,
    members: members.map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId ?? null,
      clientId: 'test-client',
      clientHost: '/127.0.0.1',
      rebalanceTimeout: 30_000,
      sessionTimeout: 10_000,
      subscription: subscription(member.topics ?? []),
      assignment: new Uint8Array(),
    })),
  };
}

/** ConsumerProtocolSubscription v0: version, topics, user data (null). */
function subscription(topics: string[]): Uint8Array {
  const parts = [Buffer.from([0, 0]), int32(topics.length)];
  for (const topic of topics) parts.push(int16(Buffer.byteLength(topic)), Buffer.from(topic));
  parts.push(int32(-1));
  return Buffer.concat(parts);
}

function int16(n: number): Buffer {
  const buf = Buffer.alloc(2);
  buf.writeInt16BE(n);
  return buf;
}

function int32(n: number): Buffer {
  const buf = Buffer.alloc(4);
  buf.writeInt32BE(n);
  return buf;
}

/** A consumer's JoinGroup for `groupId` (range, an empty subscription), new when `memberId` is empty. */
export function joinRequest(groupId: string, memberId = ''): RequestOf<typeof JoinGroup> {
  return {
    groupId,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from(subscription([])) }],
    reason: null,
  };
}

export interface CommitOptions {
  generation?: number;
  memberId?: string;
  groupInstanceId?: string | null;
  retentionTimeMs?: bigint;
  metadata?: string | null;
  leaderEpoch?: number;
  commitTimestamp?: bigint;
}

/** OffsetCommit of `offsets` ("topic" → partition → offset), a simple commit unless a member is given. */
export function commitRequest(groupId: string, offsets: Record<string, Record<number, bigint>>, options: CommitOptions = {}): RequestOf<typeof OffsetCommit> {
  return {
    groupId,
    generationIdOrMemberEpoch: options.generation ?? -1,
    memberId: options.memberId ?? '',
    groupInstanceId: options.groupInstanceId ?? null,
    retentionTimeMs: options.retentionTimeMs ?? -1n,
    topics: Object.entries(offsets).map(([name, partitions]) => ({
      name,
      partitions: Object.entries(partitions).map(([partition, offset]) => ({
        partitionIndex: Number(partition),
        committedOffset: offset,
        committedLeaderEpoch: options.leaderEpoch ?? -1,
        commitTimestamp: options.commitTimestamp ?? -1n,
        committedMetadata: options.metadata === undefined ? '' : options.metadata,
      })),
    })),
  };
}

/** OffsetFetch of one group (v0–7 fields) and the same as a v8+ group; `topics` null = all. */
export function fetchRequest(groupId: string, topics: Record<string, number[]> | null, requireStable = false): RequestOf<typeof OffsetFetch> {
  const requested = topics === null ? null : Object.entries(topics).map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
  return {
    groupId,
    topics: requested,
    groups: [{ groupId, memberId: null, memberEpoch: -1, topics: requested }],
    requireStable,
  };
}

/** The committed offset per "topic/partition" an OffsetFetch v8 answers for `groupId` (all partitions). */
export async function committed(coordinator: GroupCoordinator, groupId: string): Promise<Record<string, bigint>> {
  const response = await coordinator.offsetFetch(fetchRequest(groupId, null), context(8));
  const group = response.groups[0]!;
  if (group.errorCode !== 0) throw new Error(`OffsetFetch of ${groupId} failed with error ${group.errorCode}`);
  const offsets: Record<string, bigint> = {};
  for (const topic of group.topics) for (const partition of topic.partitions) offsets[`${topic.name}/${partition.partitionIndex}`] = partition.committedOffset;
  return offsets;
}
