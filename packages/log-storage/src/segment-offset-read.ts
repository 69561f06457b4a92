import { BATCH_HEADER_SIZE, lastOffsetOf, readBatchHeader } from '@kstream/protocol';
import { BatchChain } from './batch-chain.js';
import { headerProblem, type ScannedBatch } from './batch-scanner.js';
import type { StorageFile } from './storage-file.js';
import type { OffsetIndex } from './offset-index.js';

/** The batch a read starts with, and the bytes from its position already read (all of them, or the start). */
export interface LocatedRead {
  batch: ScannedBatch;
  head: Buffer;
}

/**
 * One disk read that, in the usual cases, both finds the first batch whose
 * last offset is >= `offset` and brings in what a fetch serves from it —
 * instead of a header scan from the index entry at or below `offset`, then
 * a second read for the data (two trips to the thread pool).
 *
 * Index entries map a batch's last offset to its position, so the entry at
 * or below `offset` is usually the batch before the one wanted. Where to read:
 * - that entry's batch holds `offset` (its last offset is `offset`): from it;
 * - the span from that entry to the next (or to the end) is at most
 *   `spanLimit` bytes, as between the entries of small batches: from it,
 *   `span` bytes more than `maxBytes`, skipping the batches before `offset`;
 * - otherwise from the next entry, whose batch is the one wanted when its base
 *   offset is <= `offset` — a consumer reading on from its last fetch.
 *
 * 'none' when the segment has no batch at or after `offset` (it ends
 * before); undefined when the one read did not settle it (a batch cut off by
 * the end of the read, a header that fails headerProblem — offsets that do
 * not follow on from the index entry, or leave [segment base, `nextOffset`)
 * — the file shortened meanwhile): the caller then scans headers from the
 * index entry, which also tells those cases apart.
 */
export async function readAtOffset(
  file: StorageFile,
  index: OffsetIndex,
  offset: bigint,
  maxBytes: number,
  end: number,
  nextOffset: bigint,
  spanLimit: number,
): Promise<LocatedRead | 'none' | undefined> {
  if (offset >= nextOffset) return 'none';
  const below = index.lookup(offset);
  const above = index.lookupAtOrAbove(offset);
  const span = (above?.position ?? end) - below.position;
  let from = below.position;
  let entry = below;
  let slack = 0;
  let fromAbove = false;
  if (below.offset === offset) {
    // The batch at this entry ends at `offset`.
  } else if (span <= spanLimit) {
    slack = span;
  } else if (above !== undefined) {
    from = above.position;
    entry = above;
    fromAbove = true;
  } else {
    return undefined;
  }
  if (from >= end) return undefined;
  const length = Math.min(end - from, slack + Math.max(maxBytes, BATCH_HEADER_SIZE));
  const bytes = Buffer.allocUnsafe(length);
  const read = await file.read(bytes, from, length);
  const chain = BatchChain.fromIndexEntry(index.baseOffset, nextOffset, entry);
  let at = 0;
  while (at + BATCH_HEADER_SIZE <= read) {
    const header = readBatchHeader(bytes, at)!;
    const size = header.sizeInBytes;
    // A batch reaching past the segment's end is one whose length went bad: the scan reports it.
    if (headerProblem(header, from + at, chain) !== undefined || from + at + size > end) return undefined;
    const lastOffset = lastOffsetOf(header);
    if (lastOffset >= offset) {
      // From the entry above, a batch starting past `offset` may have unindexed ones before it.
      if (fromAbove && header.baseOffset > offset) return undefined;
      const batch = { position: from + at, size, baseOffset: header.baseOffset, lastOffset, maxTimestamp: header.maxTimestamp, partitionLeaderEpoch: header.partitionLeaderEpoch };
      return { batch, head: bytes.subarray(at, read) };
    }
    at += size;
  }
  return undefined;
}
