import { ErrorCode, lastOffsetOf, readBatchHeader, setBaseOffset } from '@kstream/protocol';
import type { TransactionLog } from '../coordinator-types.js';
import { decodeTransactionLogRead, type TransactionLogRecord } from '../records/index.js';

interface PartitionLog {
  readonly batches: Buffer[];
  endOffset: bigint;
}

/**
 * __transaction_state in memory, as the broker's TransactionLog: an array of
 * batches per partition with the offsets an append assigns. A partition is
 * led at the epoch `lead` gave it; `failNext` makes appends fail (refused,
 * not stored); `holdAppends` keeps them waiting until released.
 */
export class MemoryTransactionLog implements TransactionLog {
  private readonly partitions = new Map<number, PartitionLog>();
  private readonly leaderEpochs = new Map<number, number>();
  private readonly failures: number[] = [];
  private appendGate: Promise<void> | undefined;

  lead(partition: number, leaderEpoch: number): void {
    this.leaderEpochs.set(partition, leaderEpoch);
    if (!this.partitions.has(partition)) this.partitions.set(partition, { batches: [], endOffset: 0n });
  }

  /** The next appends fail with these error codes, one each, storing nothing. */
  failNext(...errorCodes: number[]): void {
    this.failures.push(...errorCodes);
  }

  /** Appends wait until the returned function is called (they are stored at once, answered later). */
  holdAppends(): () => void {
    let release!: () => void;
    this.appendGate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.appendGate = undefined;
      release();
    };
  }

  async append(partition: number, leaderEpoch: number, batch: Buffer) {
    const gate = this.appendGate;
    const log = this.partitions.get(partition);
    const refused = log === undefined || this.leaderEpochs.get(partition) !== leaderEpoch ? ErrorCode.NOT_LEADER_OR_FOLLOWER : this.failures.shift();
    if (refused === undefined) {
      const stored = Buffer.from(batch);
      setBaseOffset(stored, 0, log!.endOffset);
      log!.batches.push(stored);
      log!.endOffset = lastOffsetOf(readBatchHeader(stored)!) + 1n;
    }
    if (gate !== undefined) await gate;
    return { errorCode: refused ?? ErrorCode.NONE, errorMessage: null };
  }

  logEndOffset(partition: number): bigint | undefined {
    return this.leaderEpochs.has(partition) ? this.partitions.get(partition)?.endOffset : undefined;
  }

  logStartOffset(partition: number): bigint | undefined {
    return this.leaderEpochs.has(partition) ? 0n : undefined;
  }

  async read(partition: number, offset: bigint, maxBytes: number): Promise<Buffer> {
    const chosen: Buffer[] = [];
    let size = 0;
    for (const batch of this.partitions.get(partition)?.batches ?? []) {
      if (lastOffsetOf(readBatchHeader(batch)!) < offset) continue;
      if (chosen.length > 0 && size + batch.length > maxBytes) break;
      chosen.push(batch);
      size += batch.length;
    }
    return Buffer.concat(chosen);
  }

  /** Every record written to `partition`, in offset order. */
  async records(partition = 0): Promise<TransactionLogRecord[]> {
    const bytes = Buffer.concat(this.partitions.get(partition)?.batches ?? []);
    return (await decodeTransactionLogRead(bytes, partition)).records.map(({ record }) => record);
  }
}
