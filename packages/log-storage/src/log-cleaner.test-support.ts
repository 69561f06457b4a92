import {
  BATCH_OFFSETS,
  ControlRecordType,
  type CompressionType,
  decodeRecordBatches,
  encodeRecordBatch,
  readControlRecordKey,
  recordOffset,
  type DecodedRecordBatch,
} from '@kstream/protocol';
import { cleanLog } from './log-cleaner-clean.js';
import { LogCleaner, defaultLogCleanerConfig, type LogCleanerConfig } from './log-cleaner.js';
import type { CleanJob } from './log-cleaner-job.js';
import { LogDirIo } from './log-dir-io.js';
import type { LogAppendInfo } from './log-append.js';
import type { PartitionLog } from './partition-log.js';

export interface KeyedRecord {
  key: string | null;
  /** null: a tombstone. */
  value: string | null;
}

/** A batch of keyed records (strings for readability), encoded as a producer would send it. */
export function keyedBatch(
  records: readonly KeyedRecord[],
  options: { compression?: CompressionType; timestamp?: number; producerId?: bigint; isTransactional?: boolean } = {},
): Promise<Buffer> {
  return encodeRecordBatch({
    compression: options.compression,
    producerId: options.producerId,
    producerEpoch: options.producerId === undefined ? -1 : 0,
    baseSequence: options.producerId === undefined ? -1 : 0,
    isTransactional: options.isTransactional,
    baseTimestamp: options.timestamp ?? 1_700_000_000_000,
    records: records.map((r) => ({
      key: r.key === null ? null : Buffer.from(r.key),
      value: r.value === null ? null : Buffer.from(r.value),
    })),
  });
}

export interface StoredRecord extends KeyedRecord {
  offset: bigint;
}

/** Every record of the log, from its start to its end, in offset order, read through the log's own reads. */
export async function readRecords(log: PartitionLog): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const read = await log.read(offset, { maxBytes: 1 << 20 });
    if (read.records.length === 0) break;
    for (const batch of await decodeRecordBatches(read.records)) {
      if (batch.attributes.isControl) continue;
      for (const r of batch.records) {
        out.push({ offset: recordOffset(batch.header, r), key: r.key?.toString() ?? null, value: r.value?.toString() ?? null });
      }
    }
    offset = read.nextOffset;
  }
  return out;
}

/** Every batch of the log, control batches too, decoded. */
export async function readBatches(log: PartitionLog): Promise<DecodedRecordBatch[]> {
  const out: DecodedRecordBatch[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const read = await log.read(offset, { maxBytes: 1 << 20 });
    if (read.records.length === 0) break;
    out.push(...(await decodeRecordBatches(read.records)));
    offset = read.nextOffset;
  }
  return out;
}

/**
 * Appends a batch at the log end as a follower would (offsets as given, no
 * producer checks; producer state and transaction indexes replayed): how a
 * test writes transactional batches and markers as they reach a log.
 */
export function appendAt(log: PartitionLog, batch: Buffer): Promise<LogAppendInfo> {
  batch.writeBigInt64BE(log.logEndOffset, BATCH_OFFSETS.baseOffset);
  // Leader epoch 0, as a leader's appends (appendTxnMarker among them) stamp it.
  batch.writeInt32BE(0, BATCH_OFFSETS.partitionLeaderEpoch);
  return log.appendAsFollower(batch);
}

/** Each batch as `<base offset>:<key=value,...>`, a marker as `<base offset>:ABORT|COMMIT`, an emptied batch as `<base offset>:`. */
export function describeBatches(batches: readonly DecodedRecordBatch[]): string[] {
  return batches.map((b) => {
    if (b.attributes.isControl) return `${b.header.baseOffset}:${readControlRecordKey(b.records[0]!.key).type === ControlRecordType.Abort ? 'ABORT' : 'COMMIT'}`;
    return `${b.header.baseOffset}:${b.records.map((r) => `${r.key}=${r.value ?? 'null'}`).join(',')}`;
  });
}

/**
 * The records a read_committed consumer gets from the whole log, as
 * `<offset>:<key>=<value>`: Kafka's consumer filter over the log's batches
 * and the aborted transactions the log lists for them.
 */
export async function readCommitted(log: PartitionLog): Promise<string[]> {
  const aborted = [...log.collectAbortedTransactions(log.logStartOffset, log.logEndOffset)].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
  const abortedProducers = new Set<bigint>();
  let next = 0;
  const out: string[] = [];
  for (const batch of await readBatches(log)) {
    const lastOffset = batch.header.baseOffset + BigInt(batch.header.lastOffsetDelta);
    while (next < aborted.length && aborted[next]!.firstOffset <= lastOffset) abortedProducers.add(aborted[next++]!.producerId);
    if (batch.attributes.isControl) {
      if (batch.records[0] !== undefined && readControlRecordKey(batch.records[0].key).type === ControlRecordType.Abort) abortedProducers.delete(batch.header.producerId);
      continue;
    }
    if (batch.attributes.isTransactional && abortedProducers.has(batch.header.producerId)) continue;
    for (const r of batch.records) out.push(`${recordOffset(batch.header, r)}:${r.key?.toString() ?? null}=${r.value?.toString() ?? null}`);
  }
  return out;
}

/** A LogCleaner over the one log, running cleans in this thread, cleaning whatever is dirty. */
export function cleanerFor(
  log: PartitionLog,
  options: { clock?: () => number; config?: Partial<LogCleanerConfig>; execute?: (job: CleanJob) => ReturnType<typeof cleanLog>; lastStableOffset?: () => bigint } = {},
): Promise<LogCleaner> {
  return LogCleaner.open({
    io: new LogDirIo(log.logDir),
    logs: () => [{ log, lastStableOffset: options.lastStableOffset?.() ?? log.logEndOffset }],
    execute: options.execute ?? ((job) => cleanLog(job)),
    config: { ...defaultLogCleanerConfig, ...options.config },
    clock: options.clock,
  });
}

/** The config of a compacted test log: everything dirty is cleanable. */
export const COMPACTED = { cleanupPolicy: ['compact'], minCleanableDirtyRatio: 0, retentionMs: -1 } as const;
