import { crc32c } from '@kstream/protocol';
import { decrementSequence } from './producer-state-batch.js';
import { ProducerStateEntry } from './producer-state-entry.js';

/** A partition's producer state at an offset: `<20-digit offset>.snapshot` in its directory (Kafka's name). */
export const PRODUCER_SNAPSHOT_FILE_SUFFIX = '.snapshot';

const VERSION = 1;
const VERSION_SIZE = 2;
const CRC_SIZE = 4;
const HEADER_SIZE = VERSION_SIZE + CRC_SIZE + 4;
const ENTRY_SIZE = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;

/** Why a snapshot file cannot be read. */
export class CorruptProducerSnapshotError extends Error {
  override readonly name = 'CorruptProducerSnapshotError';
}

/**
 * Kafka's ProducerSnapshot v1, big-endian: version int16 (1), crc32c uint32
 * of everything after it, then an int32 count of entries of 46 bytes:
 * producerId int64, epoch int16, lastSequence int32, lastOffset int64,
 * offsetDelta int32 (last offset - first offset of the producer's last
 * batch), timestamp int64, coordinatorEpoch int32, currentTxnFirstOffset
 * int64 (-1: none). Only the producer's last batch is kept: after a reload
 * a retry of an older one is not recognised, as in Kafka.
 */
export function encodeProducerSnapshot(entries: Iterable<ProducerStateEntry>): Buffer {
  const list = [...entries];
  const buf = Buffer.alloc(HEADER_SIZE + list.length * ENTRY_SIZE);
  buf.writeInt16BE(VERSION, 0);
  buf.writeInt32BE(list.length, VERSION_SIZE + CRC_SIZE);
  let p = HEADER_SIZE;
  for (const entry of list) {
    const last = entry.batches[entry.batches.length - 1];
    p = buf.writeBigInt64BE(entry.producerId, p);
    p = buf.writeInt16BE(entry.producerEpoch, p);
    p = buf.writeInt32BE(last?.lastSeq ?? -1, p);
    p = buf.writeBigInt64BE(last?.lastOffset ?? -1n, p);
    p = buf.writeInt32BE(last === undefined ? 0 : Number(last.lastOffset - last.firstOffset), p);
    p = buf.writeBigInt64BE(entry.lastTimestamp, p);
    p = buf.writeInt32BE(entry.coordinatorEpoch, p);
    p = buf.writeBigInt64BE(entry.currentTxnFirstOffset, p);
  }
  buf.writeUInt32BE(crc32c(buf.subarray(VERSION_SIZE + CRC_SIZE)), VERSION_SIZE);
  return buf;
}

/** The entries of a snapshot file; throws CorruptProducerSnapshotError if it does not check out. */
export function decodeProducerSnapshot(buf: Buffer): ProducerStateEntry[] {
  if (buf.length < HEADER_SIZE) throw new CorruptProducerSnapshotError(`${buf.length} bytes, shorter than the ${HEADER_SIZE}-byte header`);
  const version = buf.readInt16BE(0);
  if (version !== VERSION) throw new CorruptProducerSnapshotError(`version ${version}, expected ${VERSION}`);
  const stored = buf.readUInt32BE(VERSION_SIZE);
  const computed = crc32c(buf.subarray(VERSION_SIZE + CRC_SIZE));
  if (stored !== computed) throw new CorruptProducerSnapshotError(`crc ${stored} stored, ${computed} computed`);
  const count = buf.readInt32BE(VERSION_SIZE + CRC_SIZE);
  if (count < 0 || buf.length !== HEADER_SIZE + count * ENTRY_SIZE) {
    throw new CorruptProducerSnapshotError(`${count} entries do not fill ${buf.length} bytes`);
  }
  const entries: ProducerStateEntry[] = [];
  for (let p = HEADER_SIZE; p < buf.length; p += ENTRY_SIZE) {
    const producerId = buf.readBigInt64BE(p);
    const epoch = buf.readInt16BE(p + 8);
    const lastSeq = buf.readInt32BE(p + 10);
    const lastOffset = buf.readBigInt64BE(p + 14);
    const offsetDelta = buf.readInt32BE(p + 22);
    const timestamp = buf.readBigInt64BE(p + 26);
    const coordinatorEpoch = buf.readInt32BE(p + 34);
    const currentTxnFirstOffset = buf.readBigInt64BE(p + 38);
    const entry = new ProducerStateEntry(producerId, epoch, coordinatorEpoch, timestamp, currentTxnFirstOffset);
    if (lastOffset >= 0n) {
      const firstSeq = lastSeq < 0 ? lastSeq : decrementSequence(lastSeq, offsetDelta);
      entry.batches.push({ firstSeq, lastSeq, firstOffset: lastOffset - BigInt(offsetDelta), lastOffset, timestamp });
    }
    entries.push(entry);
  }
  return entries;
}
