import { ATTRIBUTE_TIMESTAMP_TYPE, BATCH_OFFSETS, decodeRecordBatch } from '@kstream/protocol';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP } from '@kstream/log-storage';
import type { Partition } from '@kstream/replication';

/** ListOffsets' special timestamps beyond the log's -2 and -1. */
export const MAX_TIMESTAMP = -3n;
/** The first offset in local storage (KIP-405); without tiered storage, the log start offset. */
export const EARLIEST_LOCAL_TIMESTAMP = -4n;

/** A ListOffsets answer; offset and timestamp -1 when no offset qualifies. */
export interface OffsetAndTimestamp {
  readonly timestamp: bigint;
  readonly offset: bigint;
  readonly leaderEpoch: number;
}

const NOT_FOUND: OffsetAndTimestamp = { timestamp: -1n, offset: -1n, leaderEpoch: -1 };

/**
 * ListOffsets for one partition, as Kafka's leader answers it. Only offsets
 * a consumer could fetch count: below the high watermark, or the last stable
 * offset for read_committed.
 * - -2 / -4: the log start offset; -1: the high watermark (or the last
 *   stable offset), with the current leader epoch.
 * - -3: the first record carrying the log's greatest timestamp (the log
 *   keeps it per segment); none while that record is not fetchable.
 * - t >= 0: the first record whose timestamp is >= t, found through the time
 *   index; the batch found is decoded to pick the record within it.
 */
export async function fetchOffsetForTimestamp(partition: Partition, timestamp: bigint, readCommitted: boolean): Promise<OffsetAndTimestamp> {
  const { log } = partition;
  const lastFetchable = readCommitted ? partition.lastStableOffset : partition.highWatermark;
  if (timestamp === EARLIEST_TIMESTAMP || timestamp === EARLIEST_LOCAL_TIMESTAMP) {
    const earliest = await log.fetchOffsetByTimestamp(EARLIEST_TIMESTAMP);
    return { timestamp: -1n, offset: log.logStartOffset, leaderEpoch: earliest?.leaderEpoch ?? -1 };
  }
  if (timestamp === LATEST_TIMESTAMP) return { timestamp: -1n, offset: lastFetchable, leaderEpoch: partition.leaderEpoch };
  if (timestamp === MAX_TIMESTAMP) {
    const max = log.maxTimestampAndOffset();
    // As Kafka: a greatest timestamp not yet fetchable (or deleted) is not answered, rather than the greatest of the rest.
    if (max === undefined || max.offset >= lastFetchable || max.offset < log.logStartOffset) return NOT_FOUND;
    // The read from the batch's last offset returns the whole batch.
    const read = await log.read(max.offset, { maxBytes: 1, maxOffset: lastFetchable, minOneMessage: true });
    if (read.records.length === 0) return NOT_FOUND;
    return (await firstRecordInBatch(read.records, log.logStartOffset, max.timestamp, lastFetchable)) ?? NOT_FOUND;
  }
  if (timestamp < 0n) return NOT_FOUND;
  const found = await log.fetchOffsetByTimestamp(timestamp);
  if (found === undefined) return NOT_FOUND;
  return (await firstRecordAtOrAfter(partition, found.offset, timestamp, lastFetchable)) ?? NOT_FOUND;
}

/**
 * The first record at or after `fromOffset` whose timestamp is >= `timestamp`,
 * batch by batch from the one holding `fromOffset`: batches whose max
 * timestamp is lower are skipped by their header, the first one that may
 * hold it is decoded. Usually that is the first batch read.
 */
async function firstRecordAtOrAfter(partition: Partition, fromOffset: bigint, timestamp: bigint, lastFetchable: bigint): Promise<OffsetAndTimestamp | undefined> {
  let offset = fromOffset;
  while (offset < lastFetchable) {
    const read = await partition.log.read(offset, { maxBytes: 1, maxOffset: lastFetchable, minOneMessage: true });
    if (read.records.length === 0) return undefined;
    if (read.records.readBigInt64BE(BATCH_OFFSETS.maxTimestamp) >= timestamp) {
      const found = await firstRecordInBatch(read.records, fromOffset, timestamp, lastFetchable);
      if (found !== undefined) return found;
    }
    offset = read.nextOffset;
  }
  return undefined;
}

/** The first record of the batch at the start of `batch` in [fromOffset, lastFetchable) whose timestamp is >= `timestamp`. */
async function firstRecordInBatch(batch: Buffer, fromOffset: bigint, timestamp: bigint, lastFetchable: bigint): Promise<OffsetAndTimestamp | undefined> {
  const { header, records } = await decodeRecordBatch(batch, { verifyCrc: false });
  const logAppendTime = (header.attributes & ATTRIBUTE_TIMESTAMP_TYPE) !== 0;
  for (const record of records) {
    const recordOffset = header.baseOffset + BigInt(record.offsetDelta);
    const recordTimestamp = logAppendTime ? header.maxTimestamp : header.baseTimestamp + BigInt(record.timestampDelta);
    if (recordOffset >= fromOffset && recordOffset < lastFetchable && recordTimestamp >= timestamp) {
      return { timestamp: recordTimestamp, offset: recordOffset, leaderEpoch: header.partitionLeaderEpoch };
    }
  }
  return undefined;
}
