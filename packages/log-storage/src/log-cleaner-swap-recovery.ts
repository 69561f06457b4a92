import { join } from 'node:path';
import { scanBatches } from './batch-scanner.js';
import { CLEANED_FILE_SUFFIX, LOG_FILE_SUFFIX, SEGMENT_FILE_SUFFIXES, SWAP_FILE_SUFFIX, TXN_INDEX_FILE_SUFFIX, baseOffsetOfFile, segmentFilePath } from './log-file-names.js';
import type { SegmentContext } from './log-segment.js';
import { topicPartitionName } from './topic-partition.js';

/**
 * What a crash during a clean leaves, dealt with before the segments load
 * (Kafka's LogLoader): `.cleaned` files are an unfinished clean, deleted; a
 * `.log.swap` is a cleaned segment complete and durable whose swap did not
 * finish: the segments it replaces — every one whose base offset lies in
 * [its base offset, its end offset), whatever their files are called now —
 * are deleted and it takes its own name (an index still `.cleaned` is gone
 * and is rebuilt). Index files `.swap` without their .log are deleted. Each
 * offset then reads as before the clean or as after it. The transaction
 * index, which cannot be rebuilt, is renamed before the .log (as the swap
 * does), so a `.txnindex.swap` never outlives its `.log.swap`.
 */
export async function recoverInterruptedSwaps(ctx: SegmentContext, names: readonly string[]): Promise<void> {
  const { io, dir } = ctx;
  for (const name of names) if (name.endsWith(CLEANED_FILE_SUFFIX)) await io.unlinkIfExists(join(dir, name));
  const swaps = names
    .map((name) => baseOffsetOfFile(name, LOG_FILE_SUFFIX + SWAP_FILE_SUFFIX))
    .filter((base): base is bigint => base !== undefined)
    .sort((a, b) => (a < b ? -1 : 1));
  const swapBases = new Set(swaps.map(String));
  for (const name of names) {
    if (!name.endsWith(SWAP_FILE_SUFFIX) || name.endsWith(LOG_FILE_SUFFIX + SWAP_FILE_SUFFIX)) continue;
    const base = SEGMENT_FILE_SUFFIXES.map((suffix) => baseOffsetOfFile(name, suffix + SWAP_FILE_SUFFIX)).find((b) => b !== undefined);
    if (base === undefined || !swapBases.has(String(base))) await io.unlinkIfExists(join(dir, name));
  }
  if (swaps.length === 0) return;
  const segmentBases = names.map((name) => baseOffsetOfFile(name, LOG_FILE_SUFFIX)).filter((b): b is bigint => b !== undefined);
  for (const base of swaps) {
    const end = await endOffsetOfSwap(ctx, base);
    const replaced = segmentBases.filter((b) => b >= base && b < (end > base ? end : base + 1n));
    for (const old of replaced) {
      // The .log last: while it is there, the next open deletes the rest again.
      for (const suffix of [...SEGMENT_FILE_SUFFIXES].reverse()) await io.unlinkIfExists(segmentFilePath(dir, old, suffix));
    }
    for (const suffix of SWAP_RENAME_ORDER) await io.renameIfExists(segmentFilePath(dir, base, suffix + SWAP_FILE_SUFFIX), segmentFilePath(dir, base, suffix));
    ctx.logger.info('Completed the swap of a cleaned segment interrupted by a crash', {
      partition: topicPartitionName(ctx.topicPartition),
      segment: segmentFilePath(dir, base, LOG_FILE_SUFFIX),
      replaced: replaced.length,
    });
  }
  await io.fsyncDir(dir);
}

const SWAP_RENAME_ORDER = [TXN_INDEX_FILE_SUFFIX, ...SEGMENT_FILE_SUFFIXES.filter((suffix) => suffix !== TXN_INDEX_FILE_SUFFIX)];

/** The offset after the last batch of a `.log.swap` (its base offset when empty); its files were durable before the rename. */
async function endOffsetOfSwap(ctx: SegmentContext, base: bigint): Promise<bigint> {
  const file = await ctx.io.open(segmentFilePath(ctx.dir, base, LOG_FILE_SUFFIX + SWAP_FILE_SUFFIX), 'r');
  try {
    let end = base;
    await scanBatches(file, 0, (await file.stat()).size, { verifyCrc: false, chunkSize: 1024 * 1024 }, (batch) => {
      end = batch.lastOffset + 1n;
    });
    return end;
  } finally {
    await file.close();
  }
}
