import { ControlRecordType, controlRecordKey, encodeUncompressedRecordBatch, endTxnMarkerValue } from '@kstream/protocol';

export interface ProducerBatchSpec {
  producerId: bigint;
  epoch: number;
  /** Base sequence. */
  seq: number;
  records?: number;
  transactional?: boolean;
  timestamp?: bigint;
  /** Set for a follower's copy (the leader's offsets). */
  baseOffset?: bigint;
  partitionLeaderEpoch?: number;
}

/** A real RecordBatch v2 from an idempotent (or transactional) producer. */
export function producerBatch(spec: ProducerBatchSpec): Buffer {
  const records = spec.records ?? 1;
  // Now by default: a timestamp far from the log's clock (which stamps markers) would roll the segment (segment.ms).
  const timestamp = spec.timestamp ?? BigInt(Date.now());
  return Buffer.from(
    encodeUncompressedRecordBatch({
      baseOffset: spec.baseOffset,
      partitionLeaderEpoch: spec.partitionLeaderEpoch,
      isTransactional: spec.transactional ?? false,
      producerId: spec.producerId,
      producerEpoch: spec.epoch,
      baseSequence: spec.seq,
      records: Array.from({ length: records }, (_, i) => ({ timestamp, key: null, value: Buffer.from(`v${spec.seq + i}`) })),
    }),
  );
}

/** A transaction marker batch as the leader writes it (for a follower's append: with the leader's offset). */
export function markerBatch(spec: { producerId: bigint; epoch: number; coordinatorEpoch: number; commit: boolean; baseOffset?: bigint; timestamp?: bigint }): Buffer {
  return Buffer.from(
    encodeUncompressedRecordBatch({
      baseOffset: spec.baseOffset,
      isTransactional: true,
      isControl: true,
      producerId: spec.producerId,
      producerEpoch: spec.epoch,
      baseSequence: -1,
      records: [
        {
          timestamp: spec.timestamp ?? BigInt(Date.now()),
          key: controlRecordKey(spec.commit ? ControlRecordType.Commit : ControlRecordType.Abort),
          value: endTxnMarkerValue(spec.coordinatorEpoch),
        },
      ],
    }),
  );
}
