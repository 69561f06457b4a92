import type { CleanedGroup, CleanSummary } from './log-cleaner-job.js';
import {
  CLEANED_FILE_SUFFIX,
  INDEX_FILE_SUFFIX,
  LOG_FILE_SUFFIX,
  SEGMENT_FILE_SUFFIXES,
  SWAP_FILE_SUFFIX,
  TIME_INDEX_FILE_SUFFIX,
  TXN_INDEX_FILE_SUFFIX,
  segmentFilePath,
} from './log-file-names.js';
import { LogSegment } from './log-segment.js';
import type { PartitionLogState } from './partition-log-state.js';
import { topicPartitionName } from './topic-partition.js';

/**
 * Swaps a clean's segments in, on the log's loop (see
 * PartitionLog.replaceCleanedSegments). Every group's segments must still be
 * in the log as the clean read them — same base offsets, same sizes, none
 * active — or the whole clean is discarded (retention, DeleteRecords or a
 * truncation moved them meanwhile) and its files removed: false. Each group
 * is then swapped by Kafka's rename protocol, each step leaving a log the
 * next open completes or abandons (recoverInterruptedSwaps):
 * 1. `.cleaned` → `.swap` (the .log first), directory fsynced;
 * 2. the old segments' files → `.deleted`, still open for readers;
 * 3. `.swap` → the segment's own names, directory fsynced;
 *    the transaction index (written only if the clean kept an abort's
 *    entry) moves before the .log both times: recovery keeps a `.swap`
 *    file only beside its `.log.swap`, and unlike the other indexes it
 *    cannot be rebuilt from the .log;
 * 4. the new segment opened and put in the old ones' place in one step;
 *    the old files go once their last reader is done.
 */
export function replaceCleanedSegments(state: PartitionLogState, summary: CleanSummary): Promise<boolean> {
  return state.serial.run(async () => {
    const replacing = summary.groups.map((group) => ({ group, old: segmentsStillThere(state, group) }));
    if (replacing.some((r) => r.old === undefined)) {
      for (const { group } of replacing) await removeCleanedFiles(state, BigInt(group.baseOffset));
      state.ctx.logger.info('Discarded a clean: the segments it read changed meanwhile', { partition: topicPartitionName(state.ctx.topicPartition) });
      return false;
    }
    for (const { group, old } of replacing) await swapGroup(state, group, old!);
    return true;
  });
}

/** The files a clean always writes, the .log first. */
const REBUILDABLE_FILE_SUFFIXES = [LOG_FILE_SUFFIX, INDEX_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX] as const;

function segmentsStillThere(state: PartitionLogState, group: CleanedGroup): LogSegment[] | undefined {
  const all = state.segments.all();
  const found: LogSegment[] = [];
  for (const replaced of group.replaced) {
    const segment = all.find((s) => s.baseOffset === BigInt(replaced.baseOffset));
    if (segment === undefined || segment === state.segments.active || segment.size !== replaced.size) return undefined;
    found.push(segment);
  }
  return found;
}

async function removeCleanedFiles(state: PartitionLogState, baseOffset: bigint): Promise<void> {
  for (const suffix of SEGMENT_FILE_SUFFIXES) await state.ctx.io.unlinkIfExists(segmentFilePath(state.ctx.dir, baseOffset, suffix + CLEANED_FILE_SUFFIX));
}

async function swapGroup(state: PartitionLogState, group: CleanedGroup, old: LogSegment[]): Promise<void> {
  const { io, dir } = state.ctx;
  const base = BigInt(group.baseOffset);
  const path = (suffix: string): string => segmentFilePath(dir, base, suffix);
  const rename = async (from: string, to: string): Promise<void> => {
    await io.renameIfExists(path(TXN_INDEX_FILE_SUFFIX + from), path(TXN_INDEX_FILE_SUFFIX + to));
    for (const suffix of REBUILDABLE_FILE_SUFFIXES) await io.rename(path(suffix + from), path(suffix + to));
  };
  await rename(CLEANED_FILE_SUFFIX, SWAP_FILE_SUFFIX);
  await io.fsyncDir(dir);
  for (const segment of old) await segment.renameForSwap();
  await rename(SWAP_FILE_SUFFIX, '');
  await io.fsyncDir(dir);
  // Until the new segment is listed the old ones serve reads through their open files (if opening it fails, until a restart loads it).
  const fresh = await LogSegment.open(state.ctx, base);
  const limit = state.segments.next(old[old.length - 1]!)?.baseOffset;
  const problem = await fresh.loadIndexes(limit);
  if (problem !== undefined) await fresh.rebuildIndexes({ verifyCrc: false, limit }, () => {});
  state.segments.replace(old, fresh);
  for (const segment of old) await segment.release();
  state.ctx.logger.info('Swapped in a cleaned segment', {
    partition: topicPartitionName(state.ctx.topicPartition),
    segment: path(LOG_FILE_SUFFIX),
    replaced: group.replaced.length,
    bytesBefore: group.replaced.reduce((total, r) => total + r.size, 0),
    bytesAfter: group.size,
  });
}
