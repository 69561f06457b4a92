import { constants } from 'node:fs';
import { mkdir, open, readFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '@kstream/actor';
import { packMetadataBatch, unpackMetadataBatch } from '@kstream/metadata';
import type { MetadataRecord } from '@kstream/metadata';
import { crc32 } from './crc32.js';

const FRAME_HEADER_BYTES = 8;

/**
 * The controller's metadata log, `<data-dir>/controller/metadata.log`: an
 * append-only file of frames, each a 4-byte big-endian payload length, a
 * 4-byte big-endian CRC-32 of the payload, and the payload: one msgpack
 * record, or a msgpack array of records written together (a batch, such as
 * a topic with its partitions and configs), which a crash keeps or loses
 * whole. A record's offset is its position in the sequence of records
 * (0, 1, 2 ...), counting each record of a batch. Every append is
 * fdatasync'ed before it resolves, so an acknowledged change survives a
 * crash. Not thread-safe; owned by the controller actor, which appends one
 * frame at a time.
 */
export class MetadataLog {
  readonly path: string;
  #file: FileHandle;
  #nextOffset: number;
  #size: number;

  private constructor(path: string, file: FileHandle, nextOffset: number, size: number) {
    this.path = path;
    this.#file = file;
    this.#nextOffset = nextOffset;
    this.#size = size;
  }

  /**
   * Opens (creating if absent) the log at `path` and replays every record in
   * order through `replay`. A torn or corrupt tail — a short header, a length
   * past the end of the file, a CRC mismatch — is where a crash interrupted a
   * write: the file is truncated at the last good record and the loss logged.
   */
  static async open(path: string, replay: (record: MetadataRecord, offset: number) => void, logger: Logger): Promise<MetadataLog> {
    await mkdir(dirname(path), { recursive: true });
    const bytes = await readFile(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return Buffer.alloc(0);
      throw err;
    });
    let position = 0;
    let offset = 0;
    let damage: string | undefined;
    while (position < bytes.length) {
      damage = frameDamage(bytes, position);
      if (damage) break;
      const length = bytes.readUInt32BE(position);
      const payload = bytes.subarray(position + FRAME_HEADER_BYTES, position + FRAME_HEADER_BYTES + length);
      for (const record of unpackMetadataBatch(payload, path, offset)) {
        replay(record, offset);
        offset += 1;
      }
      position += FRAME_HEADER_BYTES + length;
    }
    // Positional writes (not O_APPEND), so an append that failed half-way is
    // overwritten by the next one instead of leaving garbage mid-log.
    const file = await open(path, constants.O_RDWR | constants.O_CREAT);
    if (damage) {
      await file.truncate(position);
      await file.datasync();
      logger.warn('metadata log: truncated a torn or corrupt tail', {
        path,
        reason: damage,
        keptRecords: offset,
        truncatedAtByte: position,
        droppedBytes: bytes.length - position,
      });
    }
    return new MetadataLog(path, file, offset, position);
  }

  /** The offset the next appended record will get. */
  get nextOffset(): number {
    return this.#nextOffset;
  }

  /** Appends one record durably and returns its offset. */
  append(record: MetadataRecord): Promise<number> {
    return this.appendBatch([record]);
  }

  /** Appends records durably as one frame, all or none surviving a crash, and returns the last one's offset. */
  async appendBatch(records: readonly MetadataRecord[]): Promise<number> {
    return this.appendPacked(await packMetadataBatch(records), records.length);
  }

  /** Appends `count` records packed by packMetadataBatch, as appendBatch does. */
  async appendPacked(payload: Buffer, count: number): Promise<number> {
    if (count === 0) throw new RangeError('metadata log: an appended batch needs at least one record');
    const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
    frame.writeUInt32BE(payload.length, 0);
    frame.writeUInt32BE(crc32(payload), 4);
    payload.copy(frame, FRAME_HEADER_BYTES);
    await this.#file.write(frame, 0, frame.length, this.#size);
    await this.#file.datasync();
    this.#size += frame.length;
    this.#nextOffset += count;
    return this.#nextOffset - 1;
  }

  async close(): Promise<void> {
    await this.#file.close();
  }
}

function frameDamage(bytes: Buffer, position: number): string | undefined {
  const remaining = bytes.length - position;
  if (remaining < FRAME_HEADER_BYTES) return `${remaining} bytes left, too few for a frame header`;
  const length = bytes.readUInt32BE(position);
  if (length > remaining - FRAME_HEADER_BYTES) {
    return `frame length ${length} exceeds the ${remaining - FRAME_HEADER_BYTES} bytes left`;
  }
  const payload = bytes.subarray(position + FRAME_HEADER_BYTES, position + FRAME_HEADER_BYTES + length);
  const expected = bytes.readUInt32BE(position + 4);
  const actual = crc32(payload);
  if (actual !== expected) return `CRC mismatch (stored ${expected}, computed ${actual})`;
  return undefined;
}
