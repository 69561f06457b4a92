import { setBaseOffset, setMaxTimestampAndCrc, setPartitionLeaderEpoch } from '@kstream/protocol';
import type { AppendBatch, AppendOrigin } from './append-validation.js';
import type { CompletedTxn, ProducerAppendInfo } from './producer-append-info.js';
import { UnexpectedAppendOffsetError } from './storage-errors.js';
import type { TopicPartition } from './topic-partition.js';
import type { LeaderAppendOrigin, VerificationGuard } from './transaction-types.js';

/** What an append tells its caller (the Produce response and the replica fetcher need these). */
export interface LogAppendInfo {
  firstOffset: bigint;
  lastOffset: bigint;
  /** The time the broker stamped on the batches under LogAppendTime; -1 under CreateTime. */
  logAppendTime: bigint;
  logStartOffset: bigint;
  /** Bytes appended. */
  validBytes: number;
  /**
   * The batch repeats one already in the log (an idempotent producer's
   * retry): nothing was written, and the offsets and LogAppendTime are the
   * original batch's.
   */
  duplicate?: boolean;
}

/** An append past its structural checks, waiting for the writer. */
export interface PendingAppend {
  records: Buffer;
  batches: AppendBatch[];
  origin: AppendOrigin;
  /** A leader's append: a client's (sequences checked) or a coordinator's. */
  leaderOrigin: LeaderAppendOrigin;
  /** A client's transactional append verified with the coordinator: beginning a transaction needs the producer state to still hold it. */
  verificationGuard: VerificationGuard | undefined;
  leaderEpoch: number;
  /** How many of its batches carry a producer id (0: producer state is not involved). */
  producerBatches: number;
  /** What its producer batches change, staged when it joins a write and applied when the write commits. */
  producerInfos: ProducerAppendInfo[] | undefined;
  /** The transactions its markers end, in order. */
  completedTxns: CompletedTxn[] | undefined;
  bytes: number;
  /** The offsets the writer gave it (a follower's are its own), set when it joins a write. */
  firstOffset: bigint;
  lastOffset: bigint;
  /** Its CRCs matched: a retry after another append of its write was refused need not check them again. */
  crcVerified: boolean;
  resolve: (info: LogAppendInfo) => void;
  reject: (error: unknown) => void;
}

export function maxTimestampOf(append: PendingAppend): bigint {
  let max = -1n;
  for (const b of append.batches) if (b.maxTimestamp > max) max = b.maxTimestamp;
  return max;
}

/** The last offset the append will have if written at `start` (a follower's batches keep theirs). */
export function lastOffsetIfAppendedAt(append: PendingAppend, start: bigint): bigint {
  if (append.origin === 'follower') return append.batches[append.batches.length - 1]!.lastOffset;
  // Counted as a number (a buffer cannot hold 2^53 offsets' worth of batches): one bigint step, not one per batch.
  let offsets = 0;
  for (const b of append.batches) offsets += b.lastOffsetDelta + 1;
  return start + BigInt(offsets - 1);
}

/** The leader's rewrite of each batch header, in the caller's buffer: base offset, leader epoch, LogAppendTime (and CRC). */
export function assignOffsets(append: PendingAppend, start: bigint, logAppendTime: bigint): void {
  let offset = start;
  for (const b of append.batches) {
    setBaseOffset(append.records, b.position, offset);
    setPartitionLeaderEpoch(append.records, b.position, append.leaderEpoch);
    if (logAppendTime >= 0n) {
      setMaxTimestampAndCrc(append.records, b.position, logAppendTime, true);
      b.maxTimestamp = logAppendTime;
    }
    b.baseOffset = offset;
    b.lastOffset = offset + BigInt(b.lastOffsetDelta);
    b.partitionLeaderEpoch = append.leaderEpoch;
    offset = b.lastOffset + 1n;
  }
}

/**
 * Why a follower's batches do not continue the log at `expected`, if they do
 * not: each must start at or after the end of the one before (Kafka's
 * UnexpectedAppendOffsetException is for offsets that go back) — a leader's
 * compacted log has gaps, and the follower keeps them.
 */
export function contiguityError(tp: TopicPartition, append: PendingAppend, expected: bigint): UnexpectedAppendOffsetError | undefined {
  let next = expected;
  for (const b of append.batches) {
    if (b.baseOffset < next) return new UnexpectedAppendOffsetError(tp, next, b.baseOffset);
    next = b.lastOffset + 1n;
  }
  return undefined;
}
