import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '@kstream/actor';
import { packMetadataBatch, unpackMetadataBatch } from '@kstream/metadata';
import type { MetadataRecord } from '@kstream/metadata';
import { FRAME_HEADER_BYTES, frame, frameDamage, framePayload, logHeader, readLogHeader } from './metadata-log-format.js';

/** Kafka's metadata.log.max.record.bytes.between.snapshots default. */
export const DEFAULT_BYTES_BETWEEN_SNAPSHOTS = 20 * 1024 * 1024;

export interface MetadataLogOptions {
  /**
   * Compaction is due once the records appended since the last snapshot
   * (or since the log began) pass this many bytes, and the log's snapshot
   * as well.
   */
  readonly bytesBetweenSnapshots?: number;
}

/**
 * The controller's metadata log, `<data-dir>/controller/metadata.log`: an
 * append-only file of CRC-framed records (metadata-log-format.ts), each
 * frame one record or a batch of records written together (a topic with its
 * partitions and configs), which a crash keeps or loses whole. A record's
 * offset is its position in the sequence of records (0, 1, 2 ...), counting
 * each record of a batch. Every append is fdatasync'ed before it resolves,
 * so an acknowledged change survives a crash. Compaction replaces the log
 * with a snapshot of the metadata that keeps the offsets going on (broker
 * epochs are offsets). Not thread-safe; owned by the controller actor, which
 * appends or compacts one at a time.
 */
export class MetadataLog {
  readonly path: string;
  readonly #bytesBetweenSnapshots: number;
  #file: FileHandle;
  #nextOffset: number;
  #size: number;
  /** The bytes of the header and snapshot a compaction left at the start of the file; 0 if it never was. */
  #snapshotBytes: number;
  /** A compaction's rename is not known to be durable: each append syncs the directory until it is. */
  #directoryUnsynced = false;

  private constructor(path: string, file: FileHandle, nextOffset: number, size: number, snapshotBytes: number, bytesBetweenSnapshots: number) {
    this.path = path;
    this.#file = file;
    this.#nextOffset = nextOffset;
    this.#size = size;
    this.#snapshotBytes = snapshotBytes;
    this.#bytesBetweenSnapshots = bytesBetweenSnapshots;
  }

  /**
   * Opens (creating if absent) the log at `path` and replays every record in
   * order through `replay`. A torn or corrupt tail — a short header, a length
   * past the end of the file, a CRC mismatch — is where a crash interrupted a
   * write: the file is truncated at the last good record and the loss logged.
   * What an interrupted compaction left beside the log is removed.
   */
  static async open(path: string, replay: (record: MetadataRecord, offset: number) => void, logger: Logger, options: MetadataLogOptions = {}): Promise<MetadataLog> {
    await mkdir(dirname(path), { recursive: true });
    await removeUnfinishedCompaction(path, logger);
    const bytes = await readFile(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return Buffer.alloc(0);
      throw err;
    });
    const { headerBytes: start, baseOffset } = readLogHeader(bytes, path);
    let offset = baseOffset;
    let position = start;
    let snapshotBytes = 0;
    let damage: string | undefined;
    while (position < bytes.length) {
      damage = frameDamage(bytes, position);
      // The snapshot was synced before it took the log's name: a crash cannot have torn it, and without it nothing after it means anything.
      if (damage && position === start && start > 0) throw new Error(`metadata log ${path}: its snapshot is damaged (${damage})`);
      if (damage) break;
      const payload = framePayload(bytes, position);
      for (const record of unpackMetadataBatch(payload, path, offset)) {
        replay(record, offset);
        offset += 1;
      }
      position += FRAME_HEADER_BYTES + payload.length;
      if (start > 0 && snapshotBytes === 0) snapshotBytes = position;
    }
    if (start > 0 && snapshotBytes === 0) throw new Error(`metadata log ${path}: its header is not followed by a snapshot`);
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
    return new MetadataLog(path, file, offset, position, snapshotBytes, options.bytesBetweenSnapshots ?? DEFAULT_BYTES_BETWEEN_SNAPSHOTS);
  }

  /** The offset the next appended record will get. */
  get nextOffset(): number {
    return this.#nextOffset;
  }

  /** The log's size in bytes. */
  get size(): number {
    return this.#size;
  }

  /**
   * Whether a compaction would pay: the records appended since the last one
   * have passed bytesBetweenSnapshots and the snapshot's own size, so the
   * work of compacting stays in proportion to what was appended.
   */
  get compactionDue(): boolean {
    return this.#size - this.#snapshotBytes > Math.max(this.#bytesBetweenSnapshots, this.#snapshotBytes);
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
    const bytes = frame(payload);
    await this.#file.write(bytes, 0, bytes.length, this.#size);
    await this.#file.datasync();
    await this.#syncDirectoryIfUnsynced();
    this.#size += bytes.length;
    this.#nextOffset += count;
    return this.#nextOffset - 1;
  }

  /**
   * Replaces the log with `count` records packed by packMetadataBatch: a
   * snapshot of every record so far, the last of them at nextOffset - 1, so
   * the offsets go on as before. The snapshot is written beside the log,
   * synced, and renamed over it: a crash leaves the old log or the new one.
   */
  async compact(payload: Buffer, count: number): Promise<void> {
    if (count < 1 || count > this.#nextOffset) {
      throw new RangeError(`metadata log: a snapshot of ${count} records cannot stand for the ${this.#nextOffset} records at offsets below ${this.#nextOffset}`);
    }
    const bytes = Buffer.concat([logHeader(this.#nextOffset - count), frame(payload)]);
    const compacting = compactingPath(this.path);
    const file = await open(compacting, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC);
    try {
      await file.write(bytes, 0, bytes.length, 0);
      await file.datasync();
      await rename(compacting, this.path);
    } catch (error) {
      await file.close();
      await rm(compacting, { force: true });
      throw error;
    }
    // Renamed: the log is the new file from here on, whether or not the directory syncs.
    const replaced = this.#file;
    this.#file = file;
    this.#size = bytes.length;
    this.#snapshotBytes = bytes.length;
    this.#directoryUnsynced = true;
    await replaced.close();
    await this.#syncDirectoryIfUnsynced();
  }

  async #syncDirectoryIfUnsynced(): Promise<void> {
    if (!this.#directoryUnsynced) return;
    await syncDirectory(dirname(this.path));
    this.#directoryUnsynced = false;
  }

  async close(): Promise<void> {
    await this.#file.close();
  }
}

function compactingPath(path: string): string {
  return `${path}.compacting`;
}

async function removeUnfinishedCompaction(path: string, logger: Logger): Promise<void> {
  const compacting = compactingPath(path);
  try {
    await rm(compacting);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  logger.warn('metadata log: removed what an interrupted compaction left; the log itself is whole', { path: compacting });
}

/** Makes a rename in `dir` survive a crash. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
