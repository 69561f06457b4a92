import { crc32 } from './crc32.js';

// The bytes of the controller's metadata log (metadata-log.ts).
//
// A frame: a 4-byte big-endian payload length, a 4-byte big-endian CRC-32 of
// the payload, and the payload (one msgpack record, or a msgpack array of
// records written together).
//
// A compacted log starts with a header: the magic "KSML", the 8-byte
// big-endian offset of the log's first record, and a 4-byte CRC-32 of those
// 12 bytes. Its first frame is the snapshot of the metadata at the
// compaction. A log that was never compacted has no header and starts at
// offset 0. Its first four bytes are a frame length, and no frame is
// 0x4B534D4C (1.2 GB) long, so the two never look alike.

export const FRAME_HEADER_BYTES = 8;
const LOG_HEADER_BYTES = 16;
const MAGIC = 0x4b534d4c;

export function frame(payload: Uint8Array): Buffer {
  const bytes = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  bytes.writeUInt32BE(payload.length, 0);
  bytes.writeUInt32BE(crc32(payload), 4);
  bytes.set(payload, FRAME_HEADER_BYTES);
  return bytes;
}

/** Why the frame at `position` cannot be read (the file ends inside it, or its CRC does not match); undefined if it can. */
export function frameDamage(bytes: Buffer, position: number): string | undefined {
  const remaining = bytes.length - position;
  if (remaining < FRAME_HEADER_BYTES) return `${remaining} bytes left, too few for a frame header`;
  const length = bytes.readUInt32BE(position);
  if (length > remaining - FRAME_HEADER_BYTES) {
    return `frame length ${length} exceeds the ${remaining - FRAME_HEADER_BYTES} bytes left`;
  }
  const expected = bytes.readUInt32BE(position + 4);
  const actual = crc32(framePayload(bytes, position));
  if (actual !== expected) return `CRC mismatch (stored ${expected}, computed ${actual})`;
  return undefined;
}

/** The payload of the whole frame at `position`. */
export function framePayload(bytes: Buffer, position: number): Buffer {
  const start = position + FRAME_HEADER_BYTES;
  return bytes.subarray(start, start + bytes.readUInt32BE(position));
}

export function logHeader(baseOffset: number): Buffer {
  const bytes = Buffer.allocUnsafe(LOG_HEADER_BYTES);
  bytes.writeUInt32BE(MAGIC, 0);
  bytes.writeBigUInt64BE(BigInt(baseOffset), 4);
  bytes.writeUInt32BE(crc32(bytes.subarray(0, 12)), 12);
  return bytes;
}

/**
 * Where the log's records start: after the header, at its base offset, or
 * at byte 0 and offset 0 for a log without one. A damaged header throws: it
 * was written whole and synced before the file took the log's name, so
 * damage there is the disk's, and truncating would drop the whole log.
 */
export function readLogHeader(bytes: Buffer, path: string): { readonly headerBytes: number; readonly baseOffset: number } {
  if (bytes.length < 4 || bytes.readUInt32BE(0) !== MAGIC) return { headerBytes: 0, baseOffset: 0 };
  if (bytes.length < LOG_HEADER_BYTES) throw new Error(`metadata log ${path}: its header is cut short at ${bytes.length} bytes`);
  const stored = bytes.readUInt32BE(12);
  const actual = crc32(bytes.subarray(0, 12));
  if (stored !== actual) throw new Error(`metadata log ${path}: its header is damaged (CRC stored ${stored}, computed ${actual})`);
  const base = bytes.readBigUInt64BE(4);
  if (base > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`metadata log ${path}: its header's base offset ${base} is out of range`);
  return { headerBytes: LOG_HEADER_BYTES, baseOffset: Number(base) };
}
