import { join } from 'node:path';
import type { LogConfig } from './log-config.js';
import { LogDirIo, nodeFileSystem, type FileSystem } from './log-dir-io.js';
import {
  LOG_START_OFFSET_CHECKPOINT_FILE,
  RECOVERY_POINT_CHECKPOINT_FILE,
  deleteDirName,
  partitionDirName,
  partitionOfDeleteDir,
} from './log-file-names.js';
import { silentLogger, type Logger } from './logger.js';
import { OffsetCheckpointFile, type PartitionOffset } from './offset-checkpoint-file.js';
import { PartitionLog } from './partition-log.js';
import { topicPartitionName } from './topic-partition.js';

export interface LogDirectoryOptions {
  logger?: Logger;
  clock?: () => number;
  fileSystem?: FileSystem;
}

/**
 * The partitions of one log directory and its two checkpoint files (Kafka's
 * LogManager, for one directory): `recovery-point-offset-checkpoint` and
 * `log-start-offset-checkpoint`, one `topic partition offset` line per
 * partition. Logs open with the checkpointed offsets; `checkpoint()` (the
 * broker calls it periodically) and `close()` write them back. Partitions in
 * the files that are not open keep their lines, until deleteLog drops them.
 * A partition being deleted is a `<topic>-<partition>.<uuid>-delete`
 * directory until it is removed. Not thread-safe; owned by the broker loop,
 * whose calls may overlap: checkpoints from checkpoint, closeLog, deleteLog
 * and close queue behind the one being written, and the last call's offsets
 * are the ones left on disk.
 */
export class LogDirectory {
  private readonly logs = new Map<string, PartitionLog>();
  /** Directories of deleted logs being removed; close waits for them. */
  private readonly removals = new Set<Promise<void>>();

  private constructor(
    readonly io: LogDirIo,
    private readonly options: LogDirectoryOptions,
    private readonly recoveryPoints: Map<string, bigint>,
    private readonly logStartOffsets: Map<string, bigint>,
    private readonly recoveryPointFile: OffsetCheckpointFile,
    private readonly logStartOffsetFile: OffsetCheckpointFile,
  ) {}

  /**
   * Opens the directory and reads its checkpoints. A `-delete` directory
   * left by a crash mid-deletion is removed first, and if no directory of
   * its partition exists, the partition's checkpointed offsets go with it
   * (the crash may have come before deleteLog dropped them).
   */
  static async open(logDir: string, options: LogDirectoryOptions = {}): Promise<LogDirectory> {
    const io = new LogDirIo(logDir, options.fileSystem ?? nodeFileSystem);
    await io.mkdir(logDir);
    const recoveryPointFile = new OffsetCheckpointFile(io, join(logDir, RECOVERY_POINT_CHECKPOINT_FILE));
    const logStartOffsetFile = new OffsetCheckpointFile(io, join(logDir, LOG_START_OFFSET_CHECKPOINT_FILE));
    const recoveryPoints = await recoveryPointFile.read();
    const logStartOffsets = await logStartOffsetFile.read();
    const names = await io.readdir(logDir);
    for (const name of names) {
      const deleted = partitionOfDeleteDir(name);
      if (deleted === undefined) continue;
      (options.logger ?? silentLogger).info('Removing the directory of a log deleted before a crash', { dir: join(logDir, name) });
      await io.rmdirRecursive(join(logDir, name));
      if (!names.includes(partitionDirName(deleted.topic, deleted.partition))) {
        recoveryPoints.delete(topicPartitionName(deleted));
        logStartOffsets.delete(topicPartitionName(deleted));
      }
    }
    return new LogDirectory(io, options, recoveryPoints, logStartOffsets, recoveryPointFile, logStartOffsetFile);
  }

  get logDir(): string {
    return this.io.logDir;
  }

  /** Opens (or returns the already open) log of a partition. */
  async openLog(topic: string, partition: number, config?: LogConfig): Promise<PartitionLog> {
    const key = topicPartitionName({ topic, partition });
    const open = this.logs.get(key);
    if (open !== undefined) return open;
    const log = await PartitionLog.open({
      logDir: this.io.logDir,
      topic,
      partition,
      config,
      recoveryPoint: this.recoveryPoints.get(key),
      logStartOffset: this.logStartOffsets.get(key),
      logger: this.options.logger,
      clock: this.options.clock,
      io: this.io,
    });
    this.logs.set(key, log);
    return log;
  }

  log(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(topicPartitionName({ topic, partition }));
  }

  /**
   * Writes both checkpoint files with the open logs' recovery points and log
   * start offsets as they are at the call. A call made while a checkpoint
   * is being written is written after it (see CheckpointFile.write).
   */
  async checkpoint(): Promise<void> {
    for (const [key, log] of this.logs) {
      this.recoveryPoints.set(key, log.recoveryPoint);
      this.logStartOffsets.set(key, log.logStartOffset);
    }
    await Promise.all([
      this.recoveryPointFile.write(entries(this.recoveryPoints)),
      this.logStartOffsetFile.write(entries(this.logStartOffsets)),
    ]);
  }

  /** Closes one partition's log cleanly and checkpoints. */
  async closeLog(topic: string, partition: number): Promise<void> {
    const key = topicPartitionName({ topic, partition });
    const log = this.logs.get(key);
    if (log === undefined) return;
    await log.close();
    await this.checkpoint();
    this.logs.delete(key);
  }

  /**
   * Deletes a partition's log, as Kafka's LogManager.asyncDelete does:
   * closes it if open (without flushing), renames its directory
   * `<topic>-<partition>.<uuid>-delete` — from then on a crash leaves nothing
   * that would load as the partition — drops it from both checkpoint files,
   * and removes the renamed directory in the background (close waits for
   * that). Reading the closed log fails with LogClosedError; opening the
   * partition again starts an empty log at offset 0.
   */
  async deleteLog(topic: string, partition: number): Promise<void> {
    const key = topicPartitionName({ topic, partition });
    await this.logs.get(key)?.closeForDeletion();
    const dir = join(this.io.logDir, partitionDirName(topic, partition));
    const doomed = join(this.io.logDir, deleteDirName(topic, partition));
    const renamed = await this.io.renameIfExists(dir, doomed);
    if (renamed) await this.io.fsyncDir(this.io.logDir);
    this.logs.delete(key);
    this.recoveryPoints.delete(key);
    this.logStartOffsets.delete(key);
    await this.checkpoint();
    if (renamed) this.removeInBackground(doomed);
  }

  private removeInBackground(dir: string): void {
    const removal: Promise<void> = this.io
      .rmdirRecursive(dir)
      .catch((error: unknown) => {
        // The directory ends in -delete: the next open removes it.
        (this.options.logger ?? silentLogger).error('Failed to remove the directory of a deleted log', { dir, error });
      })
      .finally(() => this.removals.delete(removal));
    this.removals.add(removal);
  }

  /** Clean shutdown: closes every log (flushing it), then checkpoints, so the next open recovers nothing; waits for deleted logs' removal. */
  async close(): Promise<void> {
    for (const log of this.logs.values()) await log.close();
    await this.checkpoint();
    this.logs.clear();
    await Promise.all(this.removals);
  }
}

function entries(offsets: Map<string, bigint>): PartitionOffset[] {
  const result: PartitionOffset[] = [];
  for (const [key, offset] of offsets) {
    const dash = key.lastIndexOf('-');
    result.push({ topic: key.slice(0, dash), partition: Number(key.slice(dash + 1)), offset });
  }
  return result.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}
