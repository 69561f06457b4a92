import { CorruptRecordBatchError } from './record-batch-error.js';
import { encodeRecordBatch } from './record-batch.js';

// Control batches (attribute bit 5) carry one control record whose key is
// int16 version (0) + int16 type. For the transaction markers the broker
// writes at the end of a transaction (COMMIT and ABORT) the value is the
// EndTransactionMarker: int16 version (0) + int32 coordinator epoch. The other
// types are KRaft's own metadata-log records.

export const ControlRecordType = {
  Abort: 0,
  Commit: 1,
  LeaderChange: 2,
  SnapshotHeader: 3,
  SnapshotFooter: 4,
  KRaftVersion: 5,
  KRaftVoters: 6,
} as const;
export type ControlRecordType = (typeof ControlRecordType)[keyof typeof ControlRecordType];

const CONTROL_KEY_VERSION = 0;
const CONTROL_KEY_SIZE = 4;
const END_TXN_MARKER_VERSION = 0;
const END_TXN_MARKER_SIZE = 6;

export function controlRecordKey(type: ControlRecordType): Buffer {
  const key = Buffer.allocUnsafe(CONTROL_KEY_SIZE);
  key.writeInt16BE(CONTROL_KEY_VERSION, 0);
  key.writeInt16BE(type, 2);
  return key;
}

/** A control record's key. A newer version is read by its first 4 bytes, as Kafka does; the type may be one this code does not know. */
export function readControlRecordKey(key: Buffer | null): { version: number; type: number } {
  if (key === null || key.length < CONTROL_KEY_SIZE) {
    throw new CorruptRecordBatchError('bad-control-record', `control record key of ${key?.length ?? 'null'} bytes, needs ${CONTROL_KEY_SIZE}`);
  }
  const version = key.readInt16BE(0);
  if (version < 0) throw new CorruptRecordBatchError('bad-control-record', `control record key version ${version}`);
  return { version, type: key.readInt16BE(2) };
}

export function endTxnMarkerValue(coordinatorEpoch: number): Buffer {
  const value = Buffer.allocUnsafe(END_TXN_MARKER_SIZE);
  value.writeInt16BE(END_TXN_MARKER_VERSION, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

/** The value of a COMMIT or ABORT control record. */
export function readEndTxnMarker(value: Buffer | null): { version: number; coordinatorEpoch: number } {
  if (value === null || value.length < END_TXN_MARKER_SIZE) {
    throw new CorruptRecordBatchError('bad-control-record', `end transaction marker of ${value?.length ?? 'null'} bytes, needs ${END_TXN_MARKER_SIZE}`);
  }
  const version = value.readInt16BE(0);
  if (version < 0) throw new CorruptRecordBatchError('bad-control-record', `end transaction marker version ${version}`);
  return { version, coordinatorEpoch: value.readInt32BE(2) };
}

export interface EndTxnMarkerBatchInput {
  commit: boolean;
  producerId: bigint;
  producerEpoch: number;
  coordinatorEpoch: number;
  baseOffset?: bigint;
  partitionLeaderEpoch?: number;
  /** Defaults to now. */
  timestamp?: number | bigint;
}

/**
 * The control batch that ends a transaction on one partition, as the broker
 * appends it for WriteTxnMarkers: transactional, control, uncompressed, no
 * sequence, one COMMIT or ABORT record.
 */
export function encodeEndTxnMarkerBatch(marker: EndTxnMarkerBatchInput): Promise<Buffer<ArrayBuffer>> {
  return encodeRecordBatch({
    baseOffset: marker.baseOffset,
    partitionLeaderEpoch: marker.partitionLeaderEpoch,
    isTransactional: true,
    isControl: true,
    producerId: marker.producerId,
    producerEpoch: marker.producerEpoch,
    baseSequence: -1,
    records: [
      {
        timestamp: marker.timestamp ?? Date.now(),
        key: controlRecordKey(marker.commit ? ControlRecordType.Commit : ControlRecordType.Abort),
        value: endTxnMarkerValue(marker.coordinatorEpoch),
      },
    ],
  });
}
