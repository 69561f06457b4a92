import { readBatchHeader } from '@kstream/protocol';
import type { PartitionLog } from '@kstream/log-storage';

/** The batch holding a partition's greatest timestamp: the first batch to reach it. */
export interface MaxTimestampBatch {
  readonly maxTimestamp: bigint;
  readonly baseOffset: bigint;
}

const SCAN_CHUNK_BYTES = 1024 * 1024;

/**
 * ListOffsets' MAX_TIMESTAMP (-3) for one partition. The log keeps each
 * segment's greatest timestamp privately, so the partition tracks its own:
 * learned once by a header-only scan of the log, then kept current from the
 * batches appended, and learned again when the log start offset moves
 * (retention or DeleteRecords may have removed the batch). Not thread-safe;
 * owned by the broker loop.
 */
export class MaxTimestampTracker {
  #known: { batch: MaxTimestampBatch | undefined; logStartOffset: bigint; scannedTo: bigint } | undefined;

  /** Takes the batches of an append, after the log stamped their offsets (and LogAppendTime). */
  observe(records: Buffer, log: PartitionLog): void {
    if (this.#known === undefined || this.#known.logStartOffset !== log.logStartOffset) {
      this.#known = undefined;
      return;
    }
    let position = 0;
    while (position < records.length) {
      const header = readBatchHeader(records, position);
      if (header === undefined || header.sizeInBytes <= 0) break;
      this.consider(header.maxTimestamp, header.baseOffset);
      this.#known.scannedTo = header.baseOffset + BigInt(header.lastOffsetDelta) + 1n;
      position += header.sizeInBytes;
    }
  }

  /** The batch with the greatest timestamp below `upTo` (the high watermark), or undefined for an empty range. */
  async find(log: PartitionLog, upTo: bigint): Promise<MaxTimestampBatch | undefined> {
    if (this.#known === undefined || this.#known.logStartOffset !== log.logStartOffset) {
      this.#known = { batch: undefined, logStartOffset: log.logStartOffset, scannedTo: log.logStartOffset };
    }
    await this.scan(log, upTo);
    const batch = this.#known?.batch;
    return batch !== undefined && batch.baseOffset < upTo ? batch : undefined;
  }

  private async scan(log: PartitionLog, upTo: bigint): Promise<void> {
    let offset = this.#known!.scannedTo;
    while (offset < upTo) {
      const read = await log.read(offset, { maxBytes: SCAN_CHUNK_BYTES, maxOffset: upTo, minOneMessage: true });
      if (read.records.length === 0 || this.#known === undefined) return;
      let position = 0;
      while (position < read.records.length) {
        const header = readBatchHeader(read.records, position)!;
        this.consider(header.maxTimestamp, header.baseOffset);
        position += header.sizeInBytes;
      }
      offset = read.nextOffset;
      this.#known.scannedTo = offset;
    }
  }

  private consider(maxTimestamp: bigint, baseOffset: bigint): void {
    const known = this.#known!;
    const best = known.batch;
    // Ties go to the earlier batch, whichever order a scan and appends saw them in.
    if (best === undefined || maxTimestamp > best.maxTimestamp || (maxTimestamp === best.maxTimestamp && baseOffset < best.baseOffset)) {
      known.batch = { maxTimestamp, baseOffset };
    }
  }
}
