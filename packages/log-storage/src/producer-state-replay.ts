import { BATCH_HEADER_SIZE, BATCH_LENGTH_PREFIX, BATCH_OFFSETS, CorruptRecordBatchError } from '@kstream/protocol';
import type { LogSegment, SegmentContext } from './log-segment.js';
import { ProducerAppendInfo } from './producer-append-info.js';
import { hasProducerId, readProducerBatch, readTxnMarker } from './producer-state-batch.js';
import type { ProducerStateManager } from './producer-state-manager.js';
import { topicPartitionName } from './topic-partition.js';

/** Bytes read per disk read of the header walk among small batches. */
const CHUNK = 1024 * 1024;
/** After a batch this large the next read takes a header only: large batches' bodies are skipped, not read. */
const LARGE_BATCH = 128 * 1024;

/**
 * Rebuilds producer state after an open or a truncation: the latest
 * snapshot at or below min(`logEndOffset`, `rebuildTxnIndexFrom`) (later
 * snapshots, whose batches are gone, deleted first, and those below the log
 * start offset but the latest), then every batch from
 * it to the log end replayed from its header (a control batch's marker from
 * its one record) — no record is decoded. Segments from
 * `rebuildTxnIndexFrom` on (those recovery scanned) get their transaction
 * index rebuilt from the replay. Producers whose batches lie below the log
 * start offset stay (Kafka 3.x); completed transactions below it go.
 */
export async function loadProducerState(
  state: ProducerStateManager,
  ctx: SegmentContext,
  segments: readonly LogSegment[],
  logStartOffset: bigint,
  rebuildTxnIndexFrom: bigint | undefined,
): Promise<void> {
  const logEndOffset = segments[segments.length - 1]!.nextOffset;
  await state.deleteSnapshotsAbove(logEndOffset);
  await state.deleteSnapshotsBelow(logStartOffset);
  const bound = rebuildTxnIndexFrom !== undefined && rebuildTxnIndexFrom < logEndOffset ? rebuildTxnIndexFrom : logEndOffset;
  const from = (await state.loadLatestSnapshot(bound)) ?? segments[0]!.baseOffset;
  for (const segment of segments) {
    if (segment.nextOffset <= from && (rebuildTxnIndexFrom === undefined || segment.baseOffset < rebuildTxnIndexFrom)) continue;
    const rebuild = rebuildTxnIndexFrom !== undefined && segment.baseOffset >= rebuildTxnIndexFrom;
    if (rebuild) await segment.txnIndex.reset();
    await replaySegment(state, ctx, segment, from, rebuild);
  }
  state.onLogStartOffsetIncremented(logStartOffset);
}

/** Replays the producer batches of one segment at or after `from` into `state` (as a follower's: unchecked). */
async function replaySegment(state: ProducerStateManager, ctx: SegmentContext, segment: LogSegment, from: bigint, rebuildTxnIndex: boolean): Promise<void> {
  if (segment.size === 0) return;
  const file = await ctx.io.open(segment.logPath, 'r');
  try {
    let position = 0;
    let chunk = Buffer.allocUnsafe(CHUNK);
    let chunkStart = 0;
    let chunkLength = 0;
    let lastSize = 0;
    while (position + BATCH_HEADER_SIZE <= segment.size) {
      if (position < chunkStart || position + BATCH_HEADER_SIZE > chunkStart + chunkLength) {
        chunkStart = position;
        const want = lastSize >= LARGE_BATCH ? BATCH_HEADER_SIZE : CHUNK;
        chunkLength = await file.read(chunk, position, Math.min(want, segment.size - position));
        if (chunkLength < BATCH_HEADER_SIZE) return;
      }
      let at = position - chunkStart;
      const size = chunk.readInt32BE(at + BATCH_OFFSETS.batchLength) + BATCH_LENGTH_PREFIX;
      const lastOffset = chunk.readBigInt64BE(at + BATCH_OFFSETS.baseOffset) + BigInt(chunk.readInt32BE(at + BATCH_OFFSETS.lastOffsetDelta));
      if (size < BATCH_HEADER_SIZE || position + size > segment.size) return;
      if (lastOffset >= from && hasProducerId(chunk, at)) {
        const isControl = readProducerBatch(chunk, at).isControl;
        if (isControl && at + size > chunkLength) {
          if (size > chunk.length) chunk = Buffer.allocUnsafe(size);
          chunkStart = position;
          chunkLength = await file.read(chunk, position, size);
          at = 0;
        }
        try {
          replayBatch(state, ctx, rebuildTxnIndex ? segment : undefined, chunk, at, size);
        } catch (error) {
          if (!(error instanceof CorruptRecordBatchError)) throw error;
          // Flushed data gone bad below the recovery point (recovery checked the rest): reads refuse it; the state goes on without it.
          ctx.logger.error('Unreadable transaction marker skipped while loading producer state', {
            partition: topicPartitionName(ctx.topicPartition),
            segment: segment.logPath,
            position,
            error,
          });
        }
      }
      position += size;
      lastSize = size;
    }
  } finally {
    await file.close();
  }
}

function replayBatch(state: ProducerStateManager, ctx: SegmentContext, segment: LogSegment | undefined, buf: Buffer, at: number, size: number): void {
  const batch = readProducerBatch(buf, at);
  const baseOffset = buf.readBigInt64BE(at + BATCH_OFFSETS.baseOffset);
  const lastOffset = baseOffset + BigInt(buf.readInt32BE(at + BATCH_OFFSETS.lastOffsetDelta));
  const maxTimestamp = buf.readBigInt64BE(at + BATCH_OFFSETS.maxTimestamp);
  const info = new ProducerAppendInfo(ctx.topicPartition, batch.producerId, state.lastEntry(batch.producerId), 'follower');
  if (!batch.isControl) {
    info.appendDataBatch(batch.producerEpoch, batch.firstSeq, batch.lastSeq, maxTimestamp, baseOffset, lastOffset, batch.isTransactional);
    state.update(info);
    return;
  }
  const marker = readTxnMarker(buf, at, size, baseOffset);
  if (marker === undefined) return;
  const txn = info.appendMarker(batch.producerEpoch, marker.coordinatorEpoch, marker.commit, baseOffset, maxTimestamp);
  state.update(info);
  state.completeTxn(txn, segment);
}
