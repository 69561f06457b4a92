import { lastOffsetOf, readAttributes } from '@kstream/protocol';
import type { StoredBatch } from './log-cleaner-batches.js';
import { recordsSectionOf, walkRecordKeys } from './log-cleaner-records.js';
import { CleanedTransactions, controlTypeOf } from './log-cleaner-transactions.js';
import type { AbortedTxn } from './transaction-index.js';

/**
 * Kafka's OffsetMap for one clean: each key of the dirty section → the
 * offset of its last record there. Bounded by `maxEntries` (what
 * log.cleaner.dedupe.buffer.size holds); once full, the clean covers only
 * the dirty records mapped so far, and the next clean goes on from there.
 * Keys are compared by their bytes. Owned by one clean.
 */
export class OffsetMap {
  private readonly offsets = new Map<string, bigint>();
  /** The last offset the map covers: records after it are not deduplicated by this clean. */
  latestOffset = -1n;

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.offsets.size;
  }

  get isFull(): boolean {
    return this.offsets.size >= this.maxEntries;
  }

  /** False, storing nothing, when a new key would not fit. */
  put(key: Buffer, offset: bigint): boolean {
    const k = key.toString('latin1');
    if (this.offsets.size >= this.maxEntries && !this.offsets.has(k)) return false;
    this.offsets.set(k, offset);
    this.latestOffset = offset;
    return true;
  }

  /** The offset of the key's last record, or -1 if the key is not in the map. */
  get(key: Buffer): bigint {
    return this.offsets.get(key.toString('latin1')) ?? -1n;
  }
}

/**
 * Adds the dirty section's keys to the map, batch by batch in log order
 * (Kafka's buildOffsetMapForSegment): records at or past `startOffset` with
 * a key, skipping control batches and aborted transactions (markers end
 * their transactions, as the walk meets them). Returns false once the map
 * is full: the dirty section then ends at the map's latest offset. Batches
 * reaching `endOffset` are not read.
 */
export async function addToOffsetMap(
  map: OffsetMap,
  batches: AsyncIterable<StoredBatch>,
  startOffset: bigint,
  endOffset: bigint,
  aborted: readonly AbortedTxn[],
): Promise<{ full: boolean; recordsRead: number }> {
  const transactions = new CleanedTransactions(aborted);
  let recordsRead = 0;
  for await (const { header, bytes } of batches) {
    const lastOffset = lastOffsetOf(header);
    if (lastOffset < startOffset) continue;
    if (header.baseOffset >= endOffset) break;
    if (readAttributes(header.attributes).isControl) {
      // A marker ends its transaction: a later one of the same producer is not taken for aborted.
      transactions.onControlBatchRead(header, await controlTypeOf(bytes));
    } else if (!transactions.onBatchRead(header)) {
      let full = false;
      walkRecordKeys(await recordsSectionOf(bytes, header), header, (offsetDelta, key) => {
        if (full) return;
        const offset = header.baseOffset + BigInt(offsetDelta);
        if (key !== null && offset >= startOffset && !map.put(key, offset)) {
          full = true;
          return;
        }
        recordsRead++;
      });
      if (full) return { full: true, recordsRead };
    }
    if (lastOffset > map.latestOffset) map.latestOffset = lastOffset;
  }
  return { full: false, recordsRead };
}
