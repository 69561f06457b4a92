import { ErrorCode } from '@kstream/protocol';
import { encodeCoordinatorBatch, type CoordinatorBatchProducer, type CoordinatorRecord } from '../records/index.js';
import type { ClassicGroup } from './classic-group.js';
import type { CoordinatorLog } from './coordinator-types.js';
import { GroupPartitionMap, PendingCommits, type OffsetStore } from './offset-store.js';
import { PendingTxnOffsets } from './pending-txn-offsets.js';

export type ShardState = 'loading' | 'active' | 'unloaded';

/** A transaction marker written to the shard's partition: the producer's transaction there committed or aborted. */
export interface TxnCompletion {
  readonly producerId: bigint;
  readonly commit: boolean;
}

/**
 * The coordinator of one __consumer_offsets partition this broker leads: its
 * groups, committed offsets and open transactions' offsets, as loaded from
 * the partition and changed by the writes (and transaction markers) made
 * since. A change becomes visible only once its records are in the log
 * (acks=all); writes are applied in the order they were appended.
 * Owned by the broker's loop; a shard that was unloaded (resignation, newer
 * election) never applies a write again.
 */
export class CoordinatorShard {
  state: ShardState = 'loading';
  readonly groups = new Map<string, ClassicGroup>();
  readonly offsets: OffsetStore = new GroupPartitionMap();
  readonly pendingCommits = new PendingCommits();
  readonly txnOffsets = new PendingTxnOffsets();
  /** Markers written while the shard loads, past the offset its load reads to: applied once it is loaded. */
  readonly txnCompletionsWhileLoading: TxnCompletion[] = [];
  /**
   * The record offset the next written record is given: counted on from the
   * log end offset the load read to. Not the log's own offset (markers and
   * failed appends are not counted) but in the log's order, which is all
   * that comparing two commits of a partition needs.
   */
  nextRecordOffset = 0n;
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

  /** Applies a written tombstone of the partition's offset: it deletes the committed offset and every open transaction's (Kafka's replay). */
  deleteOffset(group: string, topic: string, partition: number): void {
    this.offsets.delete(group, topic, partition);
    this.txnOffsets.deletePartition(group, topic, partition);
  }

  /**
   * Appends `records` as one batch at the shard's leader epoch — a
   * transactional batch of `producer` when given — and, once the log
   * acknowledged them, runs `apply` with the record offset of the first
   * record (the others follow it one by one). Resolves with the log's error
   * code (NONE when applied); NOT_COORDINATOR when the shard was unloaded meanwhile.
   */
  write(records: readonly CoordinatorRecord[], apply: (firstRecordOffset: bigint) => void, producer?: CoordinatorBatchProducer): Promise<number> {
    const batch = encodeCoordinatorBatch(records, BigInt(this.clock()), producer);
    const firstRecordOffset = this.nextRecordOffset;
    this.nextRecordOffset += BigInt(records.length);
    const appended = this.log.append(this.partition, this.leaderEpoch, batch);
    const outcome = this.writeTail.then(async () => {
      const { errorCode } = await appended;
      if (!this.active) return ErrorCode.NOT_COORDINATOR;
      if (errorCode === ErrorCode.NONE) apply(firstRecordOffset);
      return errorCode;
    });
    this.writeTail = outcome.catch(() => undefined);
    return outcome;
  }
}
