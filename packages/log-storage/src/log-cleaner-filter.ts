import {
  ATTRIBUTE_COMPRESSION_MASK,
  ATTRIBUTE_DELETE_HORIZON,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH_PREFIX,
  BATCH_OFFSETS,
  crc32c,
  decodeRecordBatch,
  encodeRecordBatch,
  lastOffsetOf,
  readAttributes,
  setMaxTimestampAndCrc,
  TimestampType,
  type CompressionType,
  type DecodedRecord,
  type RecordBatchHeader,
} from '@kstream/protocol';
import type { StoredBatch } from './log-cleaner-batches.js';
import type { OffsetMap } from './log-cleaner-offset-map.js';
import { recordsSectionOf, walkRecordKeys } from './log-cleaner-records.js';
import { controlTypeOf, type CleanedTransactions } from './log-cleaner-transactions.js';

/** What filterBatch needs besides the batch: the clean's map, clock and transactions. */
export interface BatchFilter {
  readonly map: OffsetMap;
  readonly now: bigint;
  readonly deleteRetentionMs: bigint;
  readonly transactions: CleanedTransactions;
  /** Per producer, the last offset of its last data batch in the log: that batch is kept, emptied if need be. */
  readonly lastDataOffsets: ReadonlyMap<bigint, bigint>;
}

export interface FilteredBatch {
  /** The batch to write (the stored bytes when nothing changed), or undefined when it goes. */
  bytes: Buffer | undefined;
  recordsRead: number;
  recordsRetained: number;
}

/**
 * Kafka's MemoryRecords.filterTo with the LogCleaner's filter, for one batch:
 * - a record stays if it is past the map's latest offset, or its key's last
 *   record (a key not in the map counts as last), unless it is a tombstone
 *   whose batch's delete horizon has passed; a record without a key goes;
 * - a batch of an aborted transaction goes whole; a marker (control batch)
 *   stays until no batch of its transaction is left and its horizon passed;
 * - a batch keeping tombstones or a removable marker gets its delete horizon
 *   (KIP-534: now + delete.retention.ms in baseTimestamp, attribute bit 6)
 *   when it has none, so tombstones live delete.retention.ms from their
 *   first clean;
 * - a batch losing records is rebuilt with the same base offset, last offset
 *   delta (so the log's batches keep their offset ranges), producer fields,
 *   epoch and codec; one losing all goes, unless it is its producer's last,
 *   which stays as a header without records (its sequence survives).
 */
export async function filterBatch(batch: StoredBatch, filter: BatchFilter): Promise<FilteredBatch> {
  const { header, bytes } = batch;
  const attributes = readAttributes(header.attributes);
  const horizon = attributes.hasDeleteHorizon ? header.baseTimestamp : undefined;
  if (attributes.isControl) {
    const canDiscard = filter.transactions.onControlBatchRead(header, await controlTypeOf(bytes));
    if (canDiscard && horizon !== undefined && horizon <= filter.now) return { bytes: undefined, recordsRead: header.recordCount, recordsRetained: 0 };
    if (canDiscard && horizon === undefined) {
      const decoded = await decodeRecordBatch(bytes, { verifyCrc: false });
      return { bytes: await rebuild(header, decoded.records, filter.now + filter.deleteRetentionMs), recordsRead: decoded.records.length, recordsRetained: decoded.records.length };
    }
    return { bytes, recordsRead: header.recordCount, recordsRetained: header.recordCount };
  }
  const aborted = filter.transactions.onBatchRead(header);
  // Decided on keys alone (walkRecordKeys); records are decoded only for a batch that must be rebuilt.
  const keep: boolean[] = [];
  let kept = 0;
  let keepsTombstone = false;
  if (!aborted) {
    walkRecordKeys(await recordsSectionOf(bytes, header), header, (offsetDelta, key, tombstone) => {
      const retained = retainRecord(header.baseOffset + BigInt(offsetDelta), key, tombstone, horizon, filter);
      keep.push(retained);
      if (!retained) return;
      kept++;
      if (tombstone) keepsTombstone = true;
    });
  }
  const recordsRead = aborted ? header.recordCount : keep.length;
  if (kept === 0) {
    const lastOfProducer = header.producerId >= 0n && filter.lastDataOffsets.get(header.producerId) === lastOffsetOf(header);
    return { bytes: lastOfProducer ? emptyBatch(header, bytes) : undefined, recordsRead, recordsRetained: 0 };
  }
  const needsHorizon = horizon === undefined && keepsTombstone;
  if (kept === keep.length && !needsHorizon) return { bytes, recordsRead, recordsRetained: kept };
  const newHorizon = needsHorizon ? filter.now + filter.deleteRetentionMs : horizon;
  const records = (await decodeRecordBatch(bytes, { verifyCrc: false })).records.filter((_, i) => keep[i]);
  return { bytes: await rebuild(header, records, newHorizon), recordsRead, recordsRetained: kept };
}

function retainRecord(offset: bigint, key: Buffer | null, tombstone: boolean, horizon: bigint | undefined, filter: BatchFilter): boolean {
  if (offset > filter.map.latestOffset) return true;
  if (key === null) return false;
  const latest = offset >= filter.map.get(key);
  const keepValue = !tombstone || horizon === undefined || filter.now < horizon;
  return latest && keepValue;
}

/** The batch again with only `records`, its offsets, producer fields, epoch, codec and timestamps kept; `horizon` stamped if given. */
async function rebuild(header: RecordBatchHeader, records: readonly DecodedRecord[], horizon: bigint | undefined): Promise<Buffer> {
  const attributes = readAttributes(header.attributes);
  const built = await encodeRecordBatch({
    baseOffset: header.baseOffset,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    compression: attributes.compression as CompressionType,
    timestampType: attributes.timestampType,
    isTransactional: attributes.isTransactional,
    isControl: attributes.isControl,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    baseTimestamp: horizon ?? header.baseTimestamp,
    lastOffsetDelta: header.lastOffsetDelta,
    records: records.map((r) => ({
      offsetDelta: r.offsetDelta,
      timestamp: header.baseTimestamp + BigInt(r.timestampDelta),
      key: r.key,
      value: r.value,
      headers: r.headers,
    })),
  });
  if (horizon !== undefined) {
    built.writeInt16BE(built.readInt16BE(BATCH_OFFSETS.attributes) | ATTRIBUTE_DELETE_HORIZON, BATCH_OFFSETS.attributes);
    built.writeUInt32BE(crc32c(built.subarray(BATCH_OFFSETS.attributes)), BATCH_OFFSETS.crc);
  }
  // Under LogAppendTime the batch's max timestamp is the append time, whatever records remain.
  if (attributes.timestampType === TimestampType.LogAppendTime) setMaxTimestampAndCrc(built, 0, header.maxTimestamp, true);
  return built;
}

/** Kafka's writeEmptyHeader: the batch's offsets and producer fields without records, uncompressed. */
function emptyBatch(header: RecordBatchHeader, bytes: Buffer): Buffer {
  const empty = Buffer.alloc(BATCH_HEADER_SIZE);
  bytes.copy(empty, 0, 0, BATCH_HEADER_SIZE);
  empty.writeInt32BE(BATCH_HEADER_SIZE - BATCH_LENGTH_PREFIX, BATCH_OFFSETS.batchLength);
  empty.writeInt16BE(header.attributes & ~ATTRIBUTE_COMPRESSION_MASK & ~ATTRIBUTE_DELETE_HORIZON, BATCH_OFFSETS.attributes);
  empty.writeBigInt64BE(header.maxTimestamp, BATCH_OFFSETS.baseTimestamp);
  empty.writeInt32BE(0, BATCH_OFFSETS.recordCount);
  empty.writeUInt32BE(crc32c(empty.subarray(BATCH_OFFSETS.attributes)), BATCH_OFFSETS.crc);
  return empty;
}
