import {
  CLEANED_FILE_SUFFIX,
  DELETED_FILE_SUFFIX,
  INDEX_FILE_SUFFIX,
  LOG_FILE_SUFFIX,
  SWAP_FILE_SUFFIX,
  TIME_INDEX_FILE_SUFFIX,
  TXN_INDEX_FILE_SUFFIX,
  baseOffsetOfFile,
  compareOffsets,
} from './log-file-names.js';
import { join } from 'node:path';
import type { ScanProblem } from './batch-scanner.js';
import type { LeaderEpochFileCache } from './leader-epoch-file-cache.js';
import { recoverInterruptedSwaps } from './log-cleaner-swap-recovery.js';
import { INDEX_FILE_MISSING, LogSegment, type SegmentContext } from './log-segment.js';
import { topicPartitionName } from './topic-partition.js';

export interface LoadedLog {
  segments: LogSegment[];
  logStartOffset: bigint;
  recoveryPoint: bigint;
  /** The base offset of the first segment recovery read through (its transaction index, and the later ones', must be rebuilt), if any. */
  recoveredFrom: bigint | undefined;
  /** The directory's names as listed before the segments were opened: its producer snapshots are among them (recovery touches none). */
  listed: readonly string[];
  /** A segment was created (made now or on its first use): the directory must be synced with the next flush, as after a roll. */
  segmentCreated: boolean;
}

/**
 * Opens the segments of a partition's directory (which exists, and whose
 * names are `listed`) after a clean shutdown or a crash, as Kafka's
 * LogLoader does: what lies below the recovery point was
 * flushed and is trusted; only the tail from it on is recovered. Leftovers
 * go first: a clean's `.cleaned` and `.swap` files (recoverInterruptedSwaps),
 * `.deleted` files (a deletion the last run did not finish), `.tmp`
 * checkpoints, index files (.index, .timeindex, .txnindex) without a .log.
 * Producer state is loaded after (loadProducerState), from snapshots and a
 * replay of the segments from `recoveredFrom` on.
 *
 * - A segment wholly below the recovery point (the next one starts at or
 *   below it) is opened without reading its batches if its index files
 *   check out. If not, its indexes are rebuilt from a header scan; a batch
 *   that fails its checks there is corruption of flushed data: reported
 *   (error: segment, position, offsets), kept, refused by reads of its
 *   offsets. Nothing is cut or deleted for it.
 * - The segment holding the recovery point is opened the same way if it
 *   ends there (a clean shutdown). Otherwise it and every later segment are
 *   recovered: batches read, CRCs and headers checked, indexes rebuilt,
 *   leader epochs fed to the cache. The first bad batch at or past the
 *   recovery point ends the log: the unflushed tail is cut there (or at the
 *   batch before, if its epoch is a one-batch spike: see BatchChain) and
 *   later segments are deleted, logged with the partition, offset and bytes
 *   dropped. A bad batch below the recovery point is flushed data: reported
 *   and kept; if only its CRC fails, recovery walks on past it. One whose
 *   header fails cannot be walked past: the segment's offsets from it to the
 *   next segment are unreadable, and if the segment is the last, a new one
 *   starts at the recovery point.
 */
export async function loadLog(
  ctx: SegmentContext,
  epochCache: LeaderEpochFileCache,
  checkpointed: { recoveryPoint?: bigint; logStartOffset?: bigint },
  listed: readonly string[],
): Promise<LoadedLog> {
  const { io, dir } = ctx;
  await recoverInterruptedSwaps(ctx, listed);
  // Only a clean's leftovers make recoverInterruptedSwaps change the directory: without them the listing stands.
  const names = listed.some((name) => name.endsWith(CLEANED_FILE_SUFFIX) || name.endsWith(SWAP_FILE_SUFFIX)) ? await io.readdir(dir) : listed;
  const bases: bigint[] = [];
  for (const name of names) {
    if (name.endsWith(DELETED_FILE_SUFFIX) || name.endsWith('.tmp')) {
      await io.unlinkIfExists(join(dir, name));
      continue;
    }
    const base = baseOffsetOfFile(name, LOG_FILE_SUFFIX);
    if (base !== undefined) bases.push(base);
  }
  bases.sort(compareOffsets);
  const withLog = new Set(bases.map(String));
  for (const name of names) {
    const base = baseOffsetOfFile(name, INDEX_FILE_SUFFIX) ?? baseOffsetOfFile(name, TIME_INDEX_FILE_SUFFIX) ?? baseOffsetOfFile(name, TXN_INDEX_FILE_SUFFIX);
    if (base !== undefined && !withLog.has(String(base))) await io.unlinkIfExists(join(dir, name));
  }

  const recoveryPoint = checkpointed.recoveryPoint ?? 0n;
  const segments: LogSegment[] = [];
  // Epochs never go down across recovered segments either.
  const epochs = { last: undefined as number | undefined };
  let recoveredFrom: bigint | undefined;
  let segmentCreated = false;
  try {
    for (let i = 0; i < bases.length; i++) {
      const segment = await LogSegment.open(ctx, bases[i]!, names);
      segments.push(segment);
      const limit = bases[i + 1];
      if (limit !== undefined && limit <= recoveryPoint) {
        await loadFlushedSegment(ctx, segment, limit, names);
        continue;
      }
      if (await trustedBelowRecoveryPoint(ctx, segment, limit, recoveryPoint, names)) continue;
      recoveredFrom ??= segment.baseOffset;
      const problem = await recoverSegment(ctx, segment, limit, recoveryPoint, epochCache, epochs);
      if (problem === undefined) continue;
      if (segment.nextOffset < recoveryPoint) {
        keepCorruptFlushedData(ctx, segment, problem, limit ?? recoveryPoint);
        if (limit === undefined) {
          segments.push(await LogSegment.create(ctx, recoveryPoint, names));
          segmentCreated = true;
        }
        continue;
      }
      await truncateUnflushedTail(ctx, segment, problem, recoveryPoint, bases.slice(i + 1));
      break;
    }
    // A log with no segment (a new partition's): its first .log is made by its first use, so an idle partition opens no file.
    if (segments.length === 0) {
      segments.push(await LogSegment.create(ctx, checkpointed.logStartOffset ?? 0n, names, 'onFirstUse'));
      segmentCreated = true;
    }
  } catch (error) {
    for (const s of segments) await s.abandon().catch(() => {});
    throw error;
  }

  const logEndOffset = segments[segments.length - 1]!.nextOffset;
  let logStartOffset = checkpointed.logStartOffset ?? 0n;
  if (logStartOffset < segments[0]!.baseOffset) logStartOffset = segments[0]!.baseOffset;
  if (logStartOffset > logEndOffset) logStartOffset = logEndOffset;
  return { segments, logStartOffset, recoveryPoint: recoveryPoint < logEndOffset ? recoveryPoint : logEndOffset, recoveredFrom, listed: names, segmentCreated };
}

/** The segment holding the recovery point, opened without a scan if it ends there (a clean shutdown) and its indexes check out. */
async function trustedBelowRecoveryPoint(ctx: SegmentContext, segment: LogSegment, limit: bigint | undefined, recoveryPoint: bigint, listed: readonly string[]): Promise<boolean> {
  if (segment.baseOffset > recoveryPoint) return false;
  const problem = await segment.loadIndexes(limit, listed);
  if (problem === undefined && segment.nextOffset <= recoveryPoint) return true;
  // A segment's index files are made when it is first flushed or closed with batches: after a crash before that, none is the norm, and recovery re-indexes it anyway.
  const neverFlushed = segment.baseOffset === recoveryPoint && (INDEX_FILE_MISSING as readonly string[]).includes(problem ?? '');
  if (problem !== undefined && !neverFlushed) warnRebuild(ctx, segment, problem);
  return false;
}

/**
 * Reads every batch of a segment reaching past the recovery point, CRCs
 * and headers checked, rebuilding its indexes and the epoch cache; returns
 * the first bad batch, if any. Below the recovery point a bad CRC is flushed
 * data gone bad: reported and walked past (its header holds), for reads to
 * refuse.
 */
async function recoverSegment(
  ctx: SegmentContext,
  segment: LogSegment,
  limit: bigint | undefined,
  recoveryPoint: bigint,
  epochCache: LeaderEpochFileCache,
  epochs: { last: number | undefined },
): Promise<ScanProblem | undefined> {
  const passBadCrc = (bad: ScanProblem): boolean => {
    if (bad.offset === undefined || bad.offset >= recoveryPoint) return false;
    reportCorruptFlushedBatch(ctx, segment, bad);
    return true;
  };
  return segment.rebuildIndexes({ verifyCrc: true, limit, passBadCrc, epochBefore: epochs.last }, (b) => {
    epochCache.assign(b.partitionLeaderEpoch, b.baseOffset);
    epochs.last = b.partitionLeaderEpoch;
  });
}

/** A segment below the recovery point: its indexes if they check out, else rebuilt from its headers, a bad batch kept and reported. */
async function loadFlushedSegment(ctx: SegmentContext, segment: LogSegment, limit: bigint, listed: readonly string[]): Promise<void> {
  const problem = await segment.loadIndexes(limit, listed);
  if (problem === undefined) return;
  warnRebuild(ctx, segment, problem);
  // CRCs are left to reads: a batch whose header holds is still walked past, so the offsets after it stay readable.
  const bad = await segment.rebuildIndexes({ verifyCrc: false, limit }, () => {});
  if (bad === undefined) return;
  keepCorruptFlushedData(ctx, segment, bad, limit);
}

function warnRebuild(ctx: SegmentContext, segment: LogSegment, problem: string): void {
  ctx.logger.warn('Rebuilding the indexes of a segment', { partition: topicPartitionName(ctx.topicPartition), segment: segment.logPath, problem });
}

/** Flushed data that failed a check: kept (see LogSegment.keepCorruptTail), never served; whoever runs the broker must hear of it. */
function keepCorruptFlushedData(ctx: SegmentContext, segment: LogSegment, problem: ScanProblem, endOffset: bigint): void {
  const range = { bytes: segment.bytesAfterGoodBatches, firstOffset: segment.nextOffset, endOffset };
  segment.keepCorruptTail(endOffset);
  reportCorruptFlushedBatch(ctx, segment, problem, range);
}

function reportCorruptFlushedBatch(ctx: SegmentContext, segment: LogSegment, problem: ScanProblem, range: object = { firstOffset: problem.offset }): void {
  ctx.logger.error('Corrupt batch in flushed data: kept, reads of its offsets fail', {
    partition: topicPartitionName(ctx.topicPartition),
    segment: segment.logPath,
    position: problem.position,
    ...range,
    problem: problem.description,
  });
}

/** The first bad batch at or past the recovery point: the log ends there, later segments go. */
async function truncateUnflushedTail(ctx: SegmentContext, segment: LogSegment, problem: ScanProblem, recoveryPoint: bigint, later: bigint[]): Promise<void> {
  const spike = problem.epochSpike;
  const cutAt = spike !== undefined && spike.offset >= recoveryPoint ? spike.offset : segment.nextOffset;
  let droppedBytes = await segment.cutTail(cutAt);
  for (const base of later) {
    const doomed = await LogSegment.open(ctx, base);
    droppedBytes += doomed.size;
    await doomed.delete();
  }
  ctx.logger.warn('Truncated the log at the first bad batch', {
    partition: topicPartitionName(ctx.topicPartition),
    offset: segment.nextOffset,
    bytesDropped: droppedBytes,
    segment: segment.logPath,
    position: problem.position,
    problem: problem.description,
    segmentsDeleted: later.length,
  });
}
