import { DELETED_FILE_SUFFIX, INDEX_FILE_SUFFIX, LOG_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX, baseOffsetOfFile } from './log-file-names.js';
import { join } from 'node:path';
import type { LeaderEpochFileCache } from './leader-epoch-file-cache.js';
import { LogSegment, type SegmentContext } from './log-segment.js';
import { topicPartitionName } from './topic-partition.js';

export interface LoadedLog {
  segments: LogSegment[];
  logStartOffset: bigint;
  recoveryPoint: bigint;
}

/**
 * Opens the segments of a partition's directory after a clean shutdown or a
 * crash. Leftovers go first: `.deleted` files (a deletion the last run did
 * not finish), `.tmp` checkpoints, index files without a .log. A segment
 * wholly below the recovery point is trusted if its indexes check out (after
 * a clean shutdown that is every segment); every segment reaching past the
 * recovery point — and any whose indexes do not check out — is recovered: read batch by batch, CRCs checked, indexes
 * rebuilt. The first incomplete or corrupt batch ends the log: its segment
 * is cut there, later segments are deleted, and the truncation is logged
 * with the partition, the offset and the bytes dropped.
 */
export async function loadLog(
  ctx: SegmentContext,
  epochCache: LeaderEpochFileCache,
  checkpointed: { recoveryPoint?: bigint; logStartOffset?: bigint },
): Promise<LoadedLog> {
  const { io, dir } = ctx;
  await io.mkdir(dir);
  const names = await io.readdir(dir);
  const bases: bigint[] = [];
  for (const name of names) {
    if (name.endsWith(DELETED_FILE_SUFFIX) || name.endsWith('.tmp')) {
      await io.unlinkIfExists(join(dir, name));
      continue;
    }
    const base = baseOffsetOfFile(name, LOG_FILE_SUFFIX);
    if (base !== undefined) bases.push(base);
  }
  bases.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const withLog = new Set(bases.map(String));
  for (const name of names) {
    const base = baseOffsetOfFile(name, INDEX_FILE_SUFFIX) ?? baseOffsetOfFile(name, TIME_INDEX_FILE_SUFFIX);
    if (base !== undefined && !withLog.has(String(base))) await io.unlinkIfExists(join(dir, name));
  }

  const recoveryPoint = checkpointed.recoveryPoint ?? 0n;
  const segments: LogSegment[] = [];
  try {
    for (let i = 0; i < bases.length; i++) {
      const segment = await LogSegment.open(ctx, bases[i]!);
      segments.push(segment);
      if (segment.baseOffset <= recoveryPoint) {
        const problem = await segment.loadIndexes();
        if (problem === undefined && segment.nextOffset <= recoveryPoint) continue;
        if (problem !== undefined) {
          ctx.logger.warn('Rebuilding the indexes of a segment', {
            partition: topicPartitionName(ctx.topicPartition),
            segment: segment.logPath,
            problem,
          });
        }
      }
      const result = await segment.recover((b) => epochCache.assign(b.partitionLeaderEpoch, b.baseOffset));
      if (result.problem === undefined) continue;

      const dropped = bases.slice(i + 1);
      let droppedBytes = result.truncatedBytes;
      for (const base of dropped) {
        const later = await LogSegment.open(ctx, base);
        droppedBytes += later.size;
        await later.delete();
      }
      ctx.logger.warn('Truncated the log at the first bad batch', {
        partition: topicPartitionName(ctx.topicPartition),
        offset: segment.nextOffset,
        bytesDropped: droppedBytes,
        segment: segment.logPath,
        position: result.problem.position,
        problem: result.problem.description,
        segmentsDeleted: dropped.length,
      });
      break;
    }
    if (segments.length === 0) segments.push(await LogSegment.create(ctx, checkpointed.logStartOffset ?? 0n));
  } catch (error) {
    for (const s of segments) await s.abandon().catch(() => {});
    throw error;
  }

  const logEndOffset = segments[segments.length - 1]!.nextOffset;
  let logStartOffset = checkpointed.logStartOffset ?? 0n;
  if (logStartOffset < segments[0]!.baseOffset) logStartOffset = segments[0]!.baseOffset;
  if (logStartOffset > logEndOffset) logStartOffset = logEndOffset;
  return { segments, logStartOffset, recoveryPoint: recoveryPoint < logEndOffset ? recoveryPoint : logEndOffset };
}
