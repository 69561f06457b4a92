import { join } from 'node:path';
import type { LogConfig } from './log-config.js';
import { LogDirIo, nodeFileSystem, type FileSystem } from './log-dir-io.js';
import { LOG_START_OFFSET_CHECKPOINT_FILE, RECOVERY_POINT_CHECKPOINT_FILE, deleteDirName, partitionDirName, partitionOfDeleteDir } from './log-file-names.js';
import { silentLogger, type Logger } from './logger.js';
import { OffsetCheckpointFile, type PartitionOffset } from './offset-checkpoint-file.js';
import { OpenFileBudget } from './open-file-budget.js';
import { PartitionLog } from './partition-log.js';
import { topicPartitionName } from './topic-partition.js';

export interface LogDirectoryOptions {
  logger?: Logger;
  clock?: () => number;
  fileSystem?: FileSystem;
  /** How many files the directory's logs may hold open at once (OpenFileBudget); unbounded if absent. */
  openFiles?: number;
}

/**
 * The partitions of one log directory and its two checkpoint files (Kafka's
 * LogManager, for one directory): `recovery-point-offset-checkpoint` and
 * `log-start-offset-checkpoint`, one `topic partition offset` line per
 * partition. Logs open with the checkpointed offsets; `checkpoint()` (the
 * broker calls it periodically, a log after its rolled segment is flushed
 * or a truncation moves its recovery point back) and `close()` write them
 * back, unless no offset moved since the last write. Partitions in
 * the files that are not open keep their lines, until deleteLog drops them;
 * lines of partitions without a directory are dropped at open. A partition
 * being deleted is a `<topic>-<partition>.<uuid>-delete` directory until it
 * is removed. Not thread-safe; owned by the broker loop,
 * whose calls may overlap: checkpoints from checkpoint, closeLog, deleteLog
 * and close queue behind the one being written, and the last call's offsets
 * are the ones left on disk.
 */
export class LogDirectory {
  private readonly logs = new Map<string, PartitionLog>();
  /** Directories of deleted logs being removed; close waits for them. */
  private readonly removals = new Set<Promise<void>>();
  /**
   * Partitions deleted while the checkpoint files could not be written (a
   * full disk): the files on disk may still list them. A partition of that
   * name is opened only once a checkpoint without it has been written.
   */
  private readonly deletedNotCheckpointed = new Set<string>();
  /** The offsets of the last checkpoint written (both files). */
  private written: { content: string } | undefined;
  private writesInFlight = 0;
  /** What every log of the directory is given to write the recovery point now: one function, not one closure a log. */
  private readonly checkpointNow = (): Promise<void> => this.checkpoint();

  private constructor(
    readonly io: LogDirIo,
    private readonly options: LogDirectoryOptions,
    private readonly recoveryPoints: Map<string, bigint>,
    private readonly logStartOffsets: Map<string, bigint>,
    private readonly recoveryPointFile: OffsetCheckpointFile,
    private readonly logStartOffsetFile: OffsetCheckpointFile,
    /**
     * The partitions (keys) with a directory here: listed at open, made since
     * by openLog, not deleted since. One not among them has none, so opening
     * its log lists and reads nothing; a key leaves once its log is open.
     */
    private readonly unopenedDirs: Set<string>,
  ) {}

  /**
   * Opens the directory and reads its checkpoints. A `-delete` directory
   * left by a crash mid-deletion is removed first. Checkpointed offsets of a
   * partition with no directory are dropped: deleteLog may have removed the
   * directory without managing to rewrite the files (a crash, a full disk),
   * and they must not apply to a new log of the same name.
   */
  static async open(logDir: string, options: LogDirectoryOptions = {}): Promise<LogDirectory> {
    const budget = new OpenFileBudget(options.openFiles ?? Number.POSITIVE_INFINITY);
    const io = new LogDirIo(logDir, options.fileSystem ?? nodeFileSystem, LogDirIo.DEFAULT_INLINE_WRITE_MAX_BYTES, budget);
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
    }
    // A partition's key, `topic-partition`, is also its directory's name.
    const dirs = new Set(names);
    for (const offsets of [recoveryPoints, logStartOffsets]) {
      for (const key of offsets.keys()) if (!dirs.has(key)) offsets.delete(key);
    }
    const partitionDirs = names.filter((name) => partitionOfDeleteDir(name) === undefined);
    return new LogDirectory(io, options, recoveryPoints, logStartOffsets, recoveryPointFile, logStartOffsetFile, new Set(partitionDirs));
  }

  get logDir(): string {
    return this.io.logDir;
  }

  /**
   * The names in a partition's directory, or undefined if it has none (known
   * without a call for a partition this directory has not seen). Pass them
   * to openLog if nothing changed the directory since.
   */
  async listPartition(topic: string, partition: number): Promise<string[] | undefined> {
    const key = topicPartitionName({ topic, partition });
    if (!this.unopenedDirs.has(key) && !this.logs.has(key)) return undefined;
    return this.io.readdirIfExists(join(this.io.logDir, partitionDirName(topic, partition)));
  }

  /**
   * Opens (or returns the already open) log of a partition; `pendingTopicId`
   * and `listed` (listPartition's names): see PartitionLogOptions.
   */
  async openLog(topic: string, partition: number, config?: LogConfig, pendingTopicId?: string, listed?: readonly string[]): Promise<PartitionLog> {
    const key = topicPartitionName({ topic, partition });
    const open = this.logs.get(key);
    if (open !== undefined) return open;
    if (this.deletedNotCheckpointed.has(key)) await this.checkpoint();
    // A partition whose directory this one has not seen is new: nothing to list (a failed open lists it next time).
    const names = listed ?? (this.unopenedDirs.has(key) ? undefined : 'new');
    this.unopenedDirs.add(key);
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
      checkpointRecoveryPoint: this.checkpointNow,
      pendingTopicId,
      listed: names,
    });
    this.unopenedDirs.delete(key);
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
    const recoveryPoints = entries(this.recoveryPoints);
    const logStartOffsets = entries(this.logStartOffsets);
    // The periodic checkpoint of an idle broker writes nothing: no offset moved since the last write that succeeded.
    const content = `${offsetsText(recoveryPoints)}\n\n${offsetsText(logStartOffsets)}`;
    if (this.writesInFlight === 0 && content === this.written?.content) return;
    const dropped = [...this.deletedNotCheckpointed];
    this.writesInFlight++;
    try {
      await Promise.all([this.recoveryPointFile.write(recoveryPoints), this.logStartOffsetFile.write(logStartOffsets)]);
      this.written = { content };
    } finally {
      this.writesInFlight--;
    }
    for (const key of dropped) this.deletedNotCheckpointed.delete(key);
  }

  /** Closes one partition's log cleanly and checkpoints. */
  async closeLog(topic: string, partition: number): Promise<void> {
    const key = topicPartitionName({ topic, partition });
    const log = this.logs.get(key);
    if (log === undefined) return;
    await log.close();
    await this.checkpoint();
    this.logs.delete(key);
    this.unopenedDirs.add(key);
  }

  /**
   * Deletes a partition's log, as Kafka's LogManager.asyncDelete does:
   * closes it if open (without flushing or writing anything), renames its
   * directory `<topic>-<partition>.<uuid>-delete` — from then on a crash
   * leaves nothing that would load as the partition — removes the renamed
   * directory in the background (close waits for that) and drops the
   * partition from both checkpoint files. Nothing before the removal
   * writes, so a full disk gets its space back. If the checkpoints cannot be
   * written (that full disk), the deletion still stands: the write is tried
   * again once the directory is removed, by every later checkpoint, and
   * before a log of the same name is opened; and `open` ignores lines of
   * partitions without a directory. Reading the closed log fails with
   * LogClosedError; opening the partition again starts an empty log at
   * offset 0.
   */
  async deleteLog(topic: string, partition: number): Promise<void> {
    const key = topicPartitionName({ topic, partition });
    await this.logs.get(key)?.closeForDeletion();
    const dir = join(this.io.logDir, partitionDirName(topic, partition));
    const doomed = join(this.io.logDir, deleteDirName(topic, partition));
    const renamed = await this.io.renameIfExists(dir, doomed);
    if (renamed) await this.io.fsyncDir(this.io.logDir);
    this.logs.delete(key);
    this.unopenedDirs.delete(key);
    this.recoveryPoints.delete(key);
    this.logStartOffsets.delete(key);
    this.deletedNotCheckpointed.add(key);
    if (renamed) this.removeInBackground(doomed);
    await this.checkpoint().catch((error: unknown) => {
      this.logger.warn('Deleted a log but could not rewrite the checkpoint files: trying again once its directory is removed', {
        partition: key,
        error,
      });
    });
  }

  private get logger(): Logger {
    return this.options.logger ?? silentLogger;
  }

  /** Removes a deleted log's directory, then writes a checkpoint a full disk refused. */
  private removeInBackground(dir: string): void {
    const removal: Promise<void> = this.io
      .rmdirRecursive(dir)
      .then(
        () => (this.deletedNotCheckpointed.size > 0 ? this.checkpoint() : undefined),
        (error: unknown) => {
          // The directory ends in -delete: the next open removes it.
          this.logger.error('Failed to remove the directory of a deleted log', { dir, error });
        },
      )
      .catch((error: unknown) => {
        // Every later checkpoint tries again, and open ignores the deleted partitions' lines.
        this.logger.error('Failed to write the checkpoint files after removing a deleted log', { dir, error });
      })
      .finally(() => this.removals.delete(removal));
    this.removals.add(removal);
  }

  /**
   * Clean shutdown: closes every log (flushing it), then checkpoints, so the
   * next open recovers nothing; waits for deleted logs' removal. A failure
   * (a full disk) stops nothing else: every other log is still closed and
   * the checkpoint still tried — a recovery point moves only once its flush
   * succeeded, so what is written holds — and the first error is thrown at
   * the end. What was not flushed is recovered at the next open.
   */
  async close(): Promise<void> {
    let failure: unknown;
    const fail = (error: unknown): void => {
      failure ??= error;
    };
    for (const log of this.logs.values()) await log.close().catch(fail);
    await this.checkpoint().catch(fail);
    this.logs.clear();
    await Promise.all(this.removals);
    if (failure !== undefined) throw failure;
  }
}

function offsetsText(offsets: readonly PartitionOffset[]): string {
  return offsets.map((o) => `${o.topic} ${o.partition} ${o.offset}`).join('\n');
}

function entries(offsets: Map<string, bigint>): PartitionOffset[] {
  const result: PartitionOffset[] = [];
  for (const [key, offset] of offsets) {
    const dash = key.lastIndexOf('-');
    result.push({ topic: key.slice(0, dash), partition: Number(key.slice(dash + 1)), offset });
  }
  return result.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}
