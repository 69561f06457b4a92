import type { Logger } from '@kstream/log-storage';
import { ErrorCode } from '@kstream/protocol';
import { loadCoordinatorPartition, type LoadedCoordinatorState } from '../records/index.js';
import { ClassicGroup } from './classic-group.js';
import { coordinatorPartition } from './coordinator-partition.js';
import { CoordinatorShard } from './coordinator-shard.js';
import type { CoordinatorLog, GroupCoordinatorConfig } from './coordinator-types.js';
import type { ClassicGroupMembership } from './group-membership.js';
import { completeTxnOffsets } from './txn-offset-commit.js';

export interface CoordinatorPartitionsDeps {
  readonly log: CoordinatorLog;
  readonly config: () => GroupCoordinatorConfig;
  readonly offsetsTopicPartitionCount: () => number;
  readonly clock: () => number;
  readonly logger: Logger;
  readonly membership: ClassicGroupMembership;
  /** A shard finished loading and serves its groups from now on. */
  readonly onActivated: (shard: CoordinatorShard) => void;
  /** A shard is dropped (its timers must stop). */
  readonly onUnloaded: (shard: CoordinatorShard) => void;
}

/** Where a group's requests go: its shard, or the error that answers them instead. */
export type Routed = { readonly shard: CoordinatorShard } | { readonly errorCode: number };

/**
 * The __consumer_offsets partitions this broker leads, each a shard that is
 * loading or active. A partition is loaded from its log start to the log end
 * offset it had when elected; an election at a newer epoch or a resignation
 * while it loads discards the load. Owned by the broker's loop.
 */
export class CoordinatorPartitions {
  private readonly shards = new Map<number, CoordinatorShard>();

  constructor(private readonly deps: CoordinatorPartitionsDeps) {}

  onElection(partition: number, leaderEpoch: number): void {
    const current = this.shards.get(partition);
    if (current !== undefined && leaderEpoch <= current.leaderEpoch) return;
    if (current?.active) {
      // Still the leader, only at a newer epoch: the state loaded is the log's (as Kafka's runtime keeps it).
      current.leaderEpoch = leaderEpoch;
      return;
    }
    if (current !== undefined) this.unload(current);
    const shard = new CoordinatorShard(partition, leaderEpoch, this.deps.log, this.deps.clock);
    this.shards.set(partition, shard);
    void this.load(shard);
  }

  /** `leaderEpoch` older than the shard's is a stale notice and ignored; undefined drops it whatever its epoch. */
  onResignation(partition: number, leaderEpoch?: number): void {
    const shard = this.shards.get(partition);
    if (shard === undefined || (leaderEpoch !== undefined && leaderEpoch < shard.leaderEpoch)) return;
    this.unload(shard);
  }

  /** The shard that serves `groupId`, or NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS. */
  route(groupId: string): Routed {
    const shard = this.shards.get(coordinatorPartition(groupId, this.deps.offsetsTopicPartitionCount()));
    if (shard === undefined) return { errorCode: ErrorCode.NOT_COORDINATOR };
    if (!shard.active) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS };
    return { shard };
  }

  /** The shard of __consumer_offsets-`partition`, loading or active; undefined when this broker does not lead it. */
  shardAt(partition: number): CoordinatorShard | undefined {
    return this.shards.get(partition);
  }

  /** The active shard holding `group`, if the group is still the one it holds. */
  shardOf(group: ClassicGroup): CoordinatorShard | undefined {
    const routed = this.route(group.groupId);
    return 'shard' in routed && routed.shard.groups.get(group.groupId) === group ? routed.shard : undefined;
  }

  active(): CoordinatorShard[] {
    return [...this.shards.values()].filter((shard) => shard.active);
  }

  anyLoading(): boolean {
    return [...this.shards.values()].some((shard) => shard.state === 'loading');
  }

  unloadAll(): void {
    for (const shard of [...this.shards.values()]) this.unload(shard);
  }

  private unload(shard: CoordinatorShard): void {
    const wasActive = shard.active;
    shard.state = 'unloaded';
    if (this.shards.get(shard.partition) === shard) this.shards.delete(shard.partition);
    this.deps.onUnloaded(shard);
    if (wasActive) {
      for (const group of shard.groups.values()) this.deps.membership.unload(group);
      this.deps.logger.info('group coordinator: unloaded __consumer_offsets partition', {
        partition: shard.partition,
        leaderEpoch: shard.leaderEpoch,
        groups: shard.groups.size,
      });
    }
    shard.groups.clear();
  }

  private async load(shard: CoordinatorShard): Promise<void> {
    const { log, logger } = this.deps;
    const started = this.deps.clock();
    const from = log.logStartOffset(shard.partition);
    const to = log.logEndOffset(shard.partition);
    try {
      if (from === undefined || to === undefined) {
        throw new Error(`__consumer_offsets-${shard.partition} is not led by this broker`);
      }
      const loaded = await loadCoordinatorPartition(
        (offset, maxBytes) => log.read(shard.partition, offset, maxBytes),
        from,
        to,
        this.deps.config().offsetsLoadBufferSize,
        shard.partition,
      );
      if (shard.state !== 'loading') return;
      this.install(shard, loaded);
      shard.nextRecordOffset = to;
      shard.state = 'active';
      for (const group of shard.groups.values()) this.deps.membership.onLoaded(group);
      this.deps.onActivated(shard);
      logger.info('group coordinator: loaded __consumer_offsets partition', {
        partition: shard.partition,
        leaderEpoch: shard.leaderEpoch,
        fromOffset: from,
        toOffset: to,
        groups: shard.groups.size,
        openTransactions: loaded.pendingTxnOffsets.size,
        ms: this.deps.clock() - started,
      });
    } catch (error) {
      if (shard.state !== 'loading') return;
      logger.error('group coordinator: loading a __consumer_offsets partition failed; its groups get NOT_COORDINATOR', {
        partition: shard.partition,
        leaderEpoch: shard.leaderEpoch,
        error: error instanceof Error ? error.message : String(error),
      });
      this.unload(shard);
    }
  }

  private install(shard: CoordinatorShard, loaded: LoadedCoordinatorState): void {
    const now = this.deps.clock();
    for (const [groupId, value] of loaded.groups) shard.groups.set(groupId, ClassicGroup.fromRecord(groupId, value, now));
    // Offsets without a group record: a group that only commits (Kafka loads it as an Empty group without protocol type).
    const ensureGroup = (groupId: string) => {
      if (!shard.groups.has(groupId)) shard.groups.set(groupId, new ClassicGroup(groupId, now));
    };
    for (const [groupId, topics] of loaded.offsets) {
      shard.offsets.setGroup(groupId, topics);
      ensureGroup(groupId);
    }
    for (const [producerId, groups] of loaded.pendingTxnOffsets) {
      for (const [groupId, topics] of groups) {
        for (const [topic, partitions] of topics) {
          for (const [partition, value] of partitions) shard.txnOffsets.add(producerId, groupId, topic, partition, value);
        }
        ensureGroup(groupId);
      }
    }
    // Markers written past the load's end while it read: their transactions end now.
    for (const { producerId, commit } of shard.txnCompletionsWhileLoading.splice(0)) completeTxnOffsets(shard, producerId, commit, now);
  }
}
