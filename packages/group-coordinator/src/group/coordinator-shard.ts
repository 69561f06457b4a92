import { ErrorCode } from '@kstream/protocol';
import { encodeCoordinatorBatch, type CoordinatorRecord } from '../records/index.js';
import type { ClassicGroup } from './classic-group.js';
import type { CoordinatorLog } from './coordinator-types.js';
import { GroupPartitionMap, PendingCommits, type OffsetStore } from './offset-store.js';

export type ShardState = 'loading' | 'active' | 'unloaded';

/**
 * The coordinator of one __consumer_offsets partition this broker leads: its
 * groups and committed offsets, as loaded from the partition and changed by
 * the writes made since. A change becomes visible only once its records are
 * in the log (acks=all); writes are applied in the order they were appended.
 * Owned by the broker's loop; a shard that was unloaded (resignation, newer
 * election) never applies a write again.
 */
export class CoordinatorShard {
  state: ShardState = 'loading';
  readonly groups = new Map<string, ClassicGroup>();
  readonly offsets: OffsetStore = new GroupPartitionMap();
  readonly pendingCommits = new PendingCommits();
  expiryTimer: unknown = undefined;
  private writeTail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly partition: number,
    public leaderEpoch: number,
    private readonly log: CoordinatorLog,
    private readonly clock: () => number,
  ) {}

  get active(): boolean {
    return this.state === 'active';
  }

  /**
   * Appends `records` as one batch at the shard's leader epoch and, once the
   * log acknowledged them, runs `apply`. Resolves with the log's error code
   * (NONE when applied); NOT_COORDINATOR when the shard was unloaded meanwhile.
   */
  write(records: readonly CoordinatorRecord[], apply: () => void): Promise<number> {
    const batch = encodeCoordinatorBatch(records, BigInt(this.clock()));
    const appended = this.log.append(this.partition, this.leaderEpoch, batch);
    const outcome = this.writeTail.then(async () => {
      const { errorCode } = await appended;
      if (!this.active) return ErrorCode.NOT_COORDINATOR;
      if (errorCode === ErrorCode.NONE) apply();
      return errorCode;
    });
    this.writeTail = outcome.catch(() => undefined);
    return outcome;
  }
}
