import { BATCH_HEADER_SIZE, BATCH_LENGTH_PREFIX, BATCH_OFFSETS, readBatchHeader } from '@kstream/protocol';
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
    if (this.#known === undefined) return;
    if (this.#known.logStartOffset !== log.logStartOffset) {
      this.#known = undefined;
      return;
    }
    // Only the fields needed are read: this runs for every produced batch once ListOffsets asked for -3.
    let position = 0;
    while (position + BATCH_HEADER_SIZE <= records.length) {
      const size = records.readInt32BE(position + BATCH_OFFSETS.batchLength) + BATCH_LENGTH_PREFIX;
      if (size < BATCH_HEADER_SIZE) break;
      const baseOffset = records.readBigInt64BE(position + BATCH_OFFSETS.baseOffset);
      this.consider(records.readBigInt64BE(position + BATCH_OFFSETS.maxTimestamp), baseOffset);
      this.#known.scannedTo = baseOffset + BigInt(records.readInt32BE(position + BATCH_OFFSETS.lastOffsetDelta)) + 1n;
      position += size;
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
