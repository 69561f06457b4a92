import type { Logger } from '@kstream/log-storage';
import {
  ErrorCode,
  type DeleteGroups,
  type DescribeGroups,
  type Heartbeat,
  type JoinGroup,
  type LeaveGroup,
  type ListGroups,
  type OffsetCommit,
  type OffsetDelete,
  type OffsetFetch,
  type RequestOf,
  type ResponseOf,
  type SyncGroup,
  type TxnOffsetCommit,
} from '@kstream/protocol';
import { ClassicGroup } from './classic-group.js';
import { CoordinatorPartitions, type Routed } from './coordinator-partitions.js';
import type { CoordinatorShard } from './coordinator-shard.js';
import type { CoordinatorLog, CoordinatorTimers, GroupCoordinatorConfig, GroupRequestContext } from './coordinator-types.js';
import { deleteGroups, describeGroups, listGroups, type GroupRemovalDeps } from './group-admin.js';
import { groupLagOf, type GroupLag } from './group-lag.js';
import { ClassicGroupMembership } from './group-membership.js';
import { heartbeatError, joinGroupError, leaveGroupError, leaveUnknownGroup, syncGroupError } from './group-routing-errors.js';
import { commitOffsets, offsetCommitError } from './offset-commit.js';
import { deleteOffsets, offsetDeleteError } from './offset-delete.js';
import { expireOffsets } from './offset-expiry.js';
import { fetchOffsets } from './offset-fetch.js';
import { commitTxnOffsets, completeTxnOffsets, txnOffsetCommitError } from './txn-offset-commit.js';
import { coordinatorWriteError } from './write-errors.js';

export interface GroupCoordinatorOptions {
  readonly brokerId: number;
  /** Read per use: dynamic broker configs. */
  readonly config: () => GroupCoordinatorConfig;
  readonly log: CoordinatorLog;
  /** The partition count of __consumer_offsets (metadata's, else offsets.topic.num.partitions). */
  readonly offsetsTopicPartitionCount: () => number;
  /** Whether the cluster has the topic (metadata's); OffsetCommit answers UNKNOWN_TOPIC_OR_PARTITION for one it has not. Unset: every topic is known. */
  readonly topicExists?: (topic: string) => boolean;
  readonly logger: Logger;
  /** ms; tests pass a fake. */
  readonly clock?: () => number;
  /** setTimeout/clearTimeout by default; tests pass fake timers. */
  readonly timers?: CoordinatorTimers;
}

const DEFAULT_TIMERS: CoordinatorTimers = Object.freeze({
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
});

/**
 * The group coordinator of the __consumer_offsets partitions this broker
 * leads (Kafka's GroupCoordinator): it routes each request to the partition
 * its group id hashes to, loads a partition when elected and drops it on
 * resignation, and answers every API's whole response for its version —
 * errors are data. Membership (join, sync, heartbeat, leave) is
 * ClassicGroupMembership's; offsets, their expiry and the admin APIs are
 * here. Owned by the broker's loop; no state outside the instance.
 */
export class GroupCoordinator {
  private readonly clock: () => number;
  private readonly timers: CoordinatorTimers;
  private readonly membership: ClassicGroupMembership;
  private readonly partitions: CoordinatorPartitions;
  private readonly removal: GroupRemovalDeps;
  private closed = false;

  constructor(private readonly options: GroupCoordinatorOptions) {
    this.clock = options.clock ?? Date.now;
    this.timers = options.timers ?? DEFAULT_TIMERS;
    this.membership = new ClassicGroupMembership({
      config: options.config,
      clock: this.clock,
      timers: this.timers,
      logger: options.logger,
      storeGroup: (group) => this.storeGroup(group),
      onGroupEmptied: (group) => this.onGroupEmptied(group),
    });
    this.partitions = new CoordinatorPartitions({
      log: options.log,
      config: options.config,
      offsetsTopicPartitionCount: options.offsetsTopicPartitionCount,
      clock: this.clock,
      logger: options.logger,
      membership: this.membership,
      onActivated: (shard) => this.scheduleExpiry(shard),
      onUnloaded: (shard) => this.timers.clearTimeout(shard.expiryTimer),
    });
    this.removal = { clock: this.clock, onGroupRemoved: (group) => this.membership.unload(group) };
  }

  /** This broker became leader of __consumer_offsets-<partition> at `leaderEpoch`: load it. Idempotent per epoch. */
  onElection(partition: number, leaderEpoch: number): void {
    if (!this.closed) this.partitions.onElection(partition, leaderEpoch);
  }

  /** It no longer leads it: drop its groups and timers. `leaderEpoch` undefined = any. */
  onResignation(partition: number, leaderEpoch?: number): void {
    this.partitions.onResignation(partition, leaderEpoch);
  }

  async joinGroup(request: RequestOf<typeof JoinGroup>, context: GroupRequestContext): Promise<ResponseOf<typeof JoinGroup>> {
    if (request.groupId === '') return joinGroupError(request, context.apiVersion, ErrorCode.INVALID_GROUP_ID);
    const routed = this.route(request.groupId);
    if (!('shard' in routed)) return joinGroupError(request, context.apiVersion, routed.errorCode);
    let group = routed.shard.groups.get(request.groupId);
    if (group === undefined) {
      // Only a member without an id creates its group; a known id for a group not here is stale.
      if (request.memberId !== '') return joinGroupError(request, context.apiVersion, ErrorCode.UNKNOWN_MEMBER_ID);
      group = new ClassicGroup(request.groupId, this.clock());
      routed.shard.groups.set(request.groupId, group);
    }
    return this.membership.joinGroup(group, request, context);
  }

  async syncGroup(request: RequestOf<typeof SyncGroup>, context: GroupRequestContext): Promise<ResponseOf<typeof SyncGroup>> {
    if (request.groupId === '') return syncGroupError(ErrorCode.INVALID_GROUP_ID);
    const routed = this.route(request.groupId);
    if (!('shard' in routed)) return syncGroupError(routed.errorCode);
    const group = routed.shard.groups.get(request.groupId);
    if (group === undefined) return syncGroupError(ErrorCode.UNKNOWN_MEMBER_ID);
    return this.membership.syncGroup(group, request, context);
  }

  async heartbeat(request: RequestOf<typeof Heartbeat>, context: GroupRequestContext): Promise<ResponseOf<typeof Heartbeat>> {
    if (request.groupId === '') return heartbeatError(ErrorCode.INVALID_GROUP_ID);
    const routed = this.route(request.groupId);
    if (!('shard' in routed)) {
      // While its group loads, a member's heartbeat is answered blindly, as Kafka does: its session restarts once loaded.
      return heartbeatError(routed.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? ErrorCode.NONE : routed.errorCode);
    }
    const group = routed.shard.groups.get(request.groupId);
    if (group === undefined) return heartbeatError(ErrorCode.UNKNOWN_MEMBER_ID);
    return this.membership.heartbeat(group, request, context);
  }

  async leaveGroup(request: RequestOf<typeof LeaveGroup>, context: GroupRequestContext): Promise<ResponseOf<typeof LeaveGroup>> {
    if (request.groupId === '') return leaveGroupError(ErrorCode.INVALID_GROUP_ID);
    const routed = this.route(request.groupId);
    if (!('shard' in routed)) return leaveGroupError(routed.errorCode);
    const group = routed.shard.groups.get(request.groupId);
    if (group === undefined) return leaveUnknownGroup(request, context.apiVersion);
    return this.membership.leaveGroup(group, request, context);
  }

  /** The empty group id is a group like any other here: Kafka accepts it for offsets, for old clients. */
  async offsetCommit(request: RequestOf<typeof OffsetCommit>, context: GroupRequestContext): Promise<ResponseOf<typeof OffsetCommit>> {
    const routed = this.route(request.groupId);
    if (!('shard' in routed)) return offsetCommitError(request, routed.errorCode);
    return commitOffsets(routed.shard, request, context, {
      config: this.options.config,
      clock: this.clock,
      topicExists: this.options.topicExists,
      onMemberCommitted: (group, memberId) => this.membership.rescheduleClassicGroupMemberHeartbeat(group, memberId),
    });
  }

  /**
   * TxnOffsetCommit: offsets a transactional producer commits with its
   * transaction, written to __consumer_offsets as a transactional batch and
   * pending until the transaction's marker lands (txn-offset-commit.ts).
   */
  async txnOffsetCommit(request: RequestOf<typeof TxnOffsetCommit>, _context: GroupRequestContext): Promise<ResponseOf<typeof TxnOffsetCommit>> {
    const routed = this.route(request.groupId);
    if (!('shard' in routed)) return txnOffsetCommitError(request, routed.errorCode);
    return commitTxnOffsets(routed.shard, request, { config: this.options.config, clock: this.clock, topicExists: this.options.topicExists });
  }

  /**
   * A transaction marker was written to __consumer_offsets-`offsetsPartition`
   * for `producerId`: its pending offsets become committed (commit) or are
   * dropped (abort). Called by the broker once the marker is appended. While
   * the partition loads, the marker is kept for the end of the load (it lies
   * past what the load reads); a partition not led here reads it when loaded.
   */
  onTransactionCompleted(offsetsPartition: number, producerId: bigint, commit: boolean): void {
    const shard = this.partitions.shardAt(offsetsPartition);
    if (shard === undefined) return;
    if (shard.state === 'loading') shard.txnCompletionsWhileLoading.push({ producerId, commit });
    else completeTxnOffsets(shard, producerId, commit, this.clock());
  }

  async offsetFetch(request: RequestOf<typeof OffsetFetch>, context: GroupRequestContext): Promise<ResponseOf<typeof OffsetFetch>> {
    return fetchOffsets(request, context.apiVersion, (groupId) => this.route(groupId));
  }

  async offsetDelete(request: RequestOf<typeof OffsetDelete>, _context: GroupRequestContext): Promise<ResponseOf<typeof OffsetDelete>> {
    if (request.groupId === '') return offsetDeleteError(ErrorCode.INVALID_GROUP_ID);
    const routed = this.route(request.groupId);
    if (!('shard' in routed)) return offsetDeleteError(routed.errorCode);
    return deleteOffsets(routed.shard, request);
  }

  async listGroups(request: RequestOf<typeof ListGroups>, _context: GroupRequestContext): Promise<ResponseOf<typeof ListGroups>> {
    if (this.closed) return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    return listGroups(request, this.partitions, this.membership);
  }

  async describeGroups(request: RequestOf<typeof DescribeGroups>, context: GroupRequestContext): Promise<ResponseOf<typeof DescribeGroups>> {
    return describeGroups(request, context.apiVersion, this.membership, (groupId) => this.route(groupId));
  }

  async deleteGroups(request: RequestOf<typeof DeleteGroups>, _context: GroupRequestContext): Promise<ResponseOf<typeof DeleteGroups>> {
    return deleteGroups(request, (groupId) => this.route(groupId), this.removal);
  }

  /** Committed offsets of a group with the lag of each partition; undefined when the group is not coordinated here. */
  groupLag(groupId: string, logEndOffset: (topic: string, partition: number) => bigint | undefined): GroupLag | undefined {
    const routed = this.route(groupId);
    return 'shard' in routed ? groupLagOf(routed.shard, groupId, logEndOffset) : undefined;
  }

  /** Stops timers and drops every partition: parked joins and syncs are answered NOT_COORDINATOR. */
  close(): void {
    this.closed = true;
    this.partitions.unloadAll();
  }

  private route(groupId: string): Routed {
    if (this.closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    return this.partitions.route(groupId);
  }

  /** Writes the group's GroupMetadataValue; resolves with the coordinator error to answer. */
  private async storeGroup(group: ClassicGroup): Promise<number> {
    const shard = this.partitions.shardOf(group);
    if (shard === undefined) return ErrorCode.NOT_COORDINATOR;
    const written = await shard.write([{ type: 'group', group: group.groupId, value: group.toRecordValue() }], () => {});
    return written === ErrorCode.NONE ? ErrorCode.NONE : coordinatorWriteError(written, false);
  }

  /**
   * A group whose last member went is written Empty: its offsets now age from
   * this moment, and a coordinator loading the log sees no members. (The
   * membership reports only Empty groups; Dead ones are the coordinator's own
   * doing: DeleteGroups, expiry, unload.)
   */
  private onGroupEmptied(group: ClassicGroup): void {
    const shard = this.partitions.shardOf(group);
    if (shard === undefined) return;
    void this.storeGroup(group).then((errorCode) => {
      if (errorCode === ErrorCode.NONE) return;
      this.options.logger.warn('group coordinator: writing an emptied group failed', {
        group: group.groupId,
        state: group.state,
        partition: shard.partition,
        errorCode,
      });
    });
  }

  private scheduleExpiry(shard: CoordinatorShard): void {
    shard.expiryTimer = this.timers.setTimeout(() => {
      const retentionMs = this.options.config().offsetsRetentionMs;
      expireOffsets(shard, retentionMs, { clock: this.clock, logger: this.options.logger, onGroupRemoved: this.removal.onGroupRemoved })
        .catch((error: unknown) => {
          this.options.logger.error('group coordinator: offset expiry failed', {
            partition: shard.partition,
            error: error instanceof Error ? error.message : String(error),
          });
        })
        .finally(() => {
          if (shard.active) this.scheduleExpiry(shard);
        });
    }, this.options.config().offsetsRetentionCheckIntervalMs);
  }
}
