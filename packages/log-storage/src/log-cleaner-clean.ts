import { readAttributes } from '@kstream/protocol';
import type { CleanedGroup, CleanJob, CleanSummary } from './log-cleaner-job.js';
import { storedBatches } from './log-cleaner-batches.js';
import { filterBatch } from './log-cleaner-filter.js';
import { addToOffsetMap, OffsetMap } from './log-cleaner-offset-map.js';
import { CleanedSegmentWriter } from './log-cleaner-segment-writer.js';
import { CleanerThrottle } from './log-cleaner-throttle.js';
import { CleanedTransactions, controlTypeOf, LogTransactionsScan } from './log-cleaner-transactions.js';
import { LogDirIo, nodeFileSystem, type FileSystem } from './log-dir-io.js';
import type { StorageFile } from './storage-file.js';
import { LOG_FILE_SUFFIX, TXN_INDEX_FILE_SUFFIX, segmentFilePath } from './log-file-names.js';
import { decodeAbortedTxns, type AbortedTxn } from './transaction-index.js';

const INT32_MAX = 2147483647n;

interface JobSegment {
  baseOffset: bigint;
  size: number;
  nextOffset: bigint;
  offsetIndexBytes: number;
  timeIndexBytes: number;
}

/**
 * The log cleaner's work on one log (Kafka's Cleaner.doClean), stateless so
 * the node's pool can run it: file paths and numbers in, a summary out.
 *
 * 1. One walk over every batch of the log gathers its transactions: the
 *    aborted ones (their entries as the segments' transaction indexes hold
 *    them, where they do), each producer's last data batch, and the first
 *    offset of an open transaction (the clean stops before it, whatever it
 *    was told).
 * 2. The offset map: every key of the dirty section [firstDirtyOffset,
 *    firstUncleanableOffset) → its last offset; a map that fills ends the
 *    dirty section early, and the next clean goes on from there.
 * 3. The segments below the map's end — from the first segment, clean and
 *    dirty alike, never the active one — are grouped (consecutive segments
 *    whose sizes add up to at most segment.bytes and whose indexes to at
 *    most segment.index.bytes: Kafka's groupSegmentsBySize), and each group
 *    is rewritten into one `<base>.log.cleaned` with its indexes, keeping
 *    what filterBatch keeps — and the transaction index entries of the
 *    ABORT markers it keeps while their data goes — and made durable.
 *
 * The log is not changed: PartitionLog.replaceCleanedSegments swaps the
 * files in on the log's loop. If the clean fails, its files are removed.
 */
export async function cleanLog(job: CleanJob, options: { fileSystem?: FileSystem } = {}): Promise<CleanSummary> {
  const io = new LogDirIo(job.logDir, options.fileSystem ?? nodeFileSystem);
  const throttle = new CleanerThrottle(job.maxIoBytesPerSecond);
  const segments: JobSegment[] = job.segments.map((s) => ({ ...s, baseOffset: BigInt(s.baseOffset), nextOffset: BigInt(s.nextOffset) }));
  const readSegment = async function* (segment: JobSegment) {
    const file: StorageFile = await io.open(segmentFilePath(job.dir, segment.baseOffset, LOG_FILE_SUFFIX), 'r');
    try {
      yield* storedBatches(file, segment.size, throttle);
    } finally {
      await file.close();
    }
  };

  const transactions = new LogTransactionsScan();
  for (const segment of segments) {
    for await (const { header, bytes } of readSegment(segment)) {
      transactions.visit(header, readAttributes(header.attributes).isControl ? await controlTypeOf(bytes) : undefined);
    }
  }
  const aborted = await indexedEntries(io, job.dir, segments, transactions.aborted);
  const firstDirty = BigInt(job.firstDirtyOffset);
  const unstable = transactions.firstUnstableOffset();
  let uncleanable = BigInt(job.firstUncleanableOffset);
  if (unstable !== undefined && unstable < uncleanable) uncleanable = unstable;

  const map = new OffsetMap(job.maxMapEntries);
  let recordsRead = 0;
  for (const segment of segments) {
    if (segment.nextOffset <= firstDirty || segment.size === 0) continue;
    if (segment.baseOffset >= uncleanable) break;
    const added = await addToOffsetMap(map, readSegment(segment), firstDirty, uncleanable, aborted);
    recordsRead += added.recordsRead;
    if (added.full) break;
  }
  const summary = { partition: job.partition, bytesRead: 0, bytesWritten: 0, recordsRead, recordsRetained: 0 };
  if (map.latestOffset < firstDirty) return { ...summary, groups: [], endOffset: job.firstDirtyOffset };
  const endOffset = map.latestOffset + 1n;

  const cleanable = segments.slice(0, -1).filter((s) => s.baseOffset < endOffset);
  const groups: CleanedGroup[] = [];
  const writers: CleanedSegmentWriter[] = [];
  try {
    for (const group of groupSegmentsBySize(cleanable, job.segmentBytes, job.segmentIndexBytes)) {
      const writer = await CleanedSegmentWriter.create(
        io,
        job.dir,
        group[0]!.baseOffset,
        { indexIntervalBytes: job.indexIntervalBytes, maxIndexBytes: job.segmentIndexBytes },
        throttle,
      );
      writers.push(writer);
      const filter = {
        map,
        now: BigInt(job.now),
        deleteRetentionMs: BigInt(job.deleteRetentionMs),
        transactions: new CleanedTransactions(aborted, (txn) => writer.txnIndex.append(txn)),
        lastDataOffsets: transactions.lastDataOffsets,
      };
      for (const segment of group) {
        for await (const batch of readSegment(segment)) {
          const filtered = await filterBatch(batch, filter);
          summary.recordsRead += filtered.recordsRead;
          summary.recordsRetained += filtered.recordsRetained;
          if (filtered.bytes !== undefined) await writer.append(filtered.bytes);
        }
        summary.bytesRead += segment.size;
      }
      await writer.finish();
      summary.bytesWritten += writer.size;
      groups.push({
        replaced: group.map((s) => ({ baseOffset: String(s.baseOffset), size: s.size })),
        baseOffset: String(writer.baseOffset),
        size: writer.size,
      });
    }
  } catch (error) {
    for (const writer of writers) await writer.abandon();
    throw error;
  }
  return { ...summary, groups, endOffset: String(endOffset) };
}

/**
 * The aborts the walk found, each as the transaction index of the segment
 * holding its marker recorded it (the log's own last stable offset), or as
 * the walk reconstructed it when the index lacks it (a write still behind).
 */
async function indexedEntries(io: LogDirIo, dir: string, segments: readonly JobSegment[], found: readonly AbortedTxn[]): Promise<AbortedTxn[]> {
  if (found.length === 0) return [];
  const indexed = new Map<string, AbortedTxn>();
  for (const segment of segments) {
    const bytes = await io.readFileIfExists(segmentFilePath(dir, segment.baseOffset, TXN_INDEX_FILE_SUFFIX));
    if (bytes === undefined) continue;
    for (const txn of decodeAbortedTxns(bytes).entries) indexed.set(`${txn.producerId}@${txn.lastOffset}`, txn);
  }
  return found.map((txn) => indexed.get(`${txn.producerId}@${txn.lastOffset}`) ?? txn);
}

/**
 * Kafka's groupSegmentsBySize: consecutive segments cleaned into one, as
 * long as their .log sizes add up to at most `maxSize`, each index's sizes to
 * at most `maxIndexSize`, and the group's offsets fit an index's 32-bit
 * relative offsets.
 */
export function groupSegmentsBySize<S extends JobSegment>(segments: readonly S[], maxSize: number, maxIndexSize: number): S[][] {
  const groups: S[][] = [];
  let i = 0;
  while (i < segments.length) {
    const group = [segments[i]!];
    let logSize = segments[i]!.size;
    let offsetIndexSize = segments[i]!.offsetIndexBytes;
    let timeIndexSize = segments[i]!.timeIndexBytes;
    i++;
    while (i < segments.length) {
      const next = segments[i]!;
      const fits =
        logSize + next.size <= maxSize &&
        offsetIndexSize + next.offsetIndexBytes <= maxIndexSize &&
        timeIndexSize + next.timeIndexBytes <= maxIndexSize &&
        (next.size === 0 || next.nextOffset - 1n - group[0]!.baseOffset <= INT32_MAX);
      if (!fits) break;
      group.push(next);
      logSize += next.size;
      offsetIndexSize += next.offsetIndexBytes;
      timeIndexSize += next.timeIndexBytes;
      i++;
    }
    groups.push(group);
  }
  return groups;
}
