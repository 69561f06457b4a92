import { join } from 'node:path';
import type { LogConfig } from './log-config.js';
import { LogDirIo, nodeFileSystem, type FileSystem } from './log-dir-io.js';
import { LOG_START_OFFSET_CHECKPOINT_FILE, RECOVERY_POINT_CHECKPOINT_FILE } from './log-file-names.js';
import type { Logger } from './logger.js';
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
 * the files that are not open keep their lines. Not thread-safe; owned by
 * the broker loop.
 */
export class LogDirectory {
  private readonly logs = new Map<string, PartitionLog>();

  private constructor(
    readonly io: LogDirIo,
    private readonly options: LogDirectoryOptions,
    private readonly recoveryPoints: Map<string, bigint>,
    private readonly logStartOffsets: Map<string, bigint>,
    private readonly recoveryPointFile: OffsetCheckpointFile,
    private readonly logStartOffsetFile: OffsetCheckpointFile,
  ) {}

  static async open(logDir: string, options: LogDirectoryOptions = {}): Promise<LogDirectory> {
    const io = new LogDirIo(logDir, options.fileSystem ?? nodeFileSystem);
    await io.mkdir(logDir);
    const recoveryPointFile = new OffsetCheckpointFile(io, join(logDir, RECOVERY_POINT_CHECKPOINT_FILE));
    const logStartOffsetFile = new OffsetCheckpointFile(io, join(logDir, LOG_START_OFFSET_CHECKPOINT_FILE));
    return new LogDirectory(io, options, await recoveryPointFile.read(), await logStartOffsetFile.read(), recoveryPointFile, logStartOffsetFile);
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

  /** Writes both checkpoint files with the open logs' current recovery points and log start offsets. */
  async checkpoint(): Promise<void> {
    for (const [key, log] of this.logs) {
      this.recoveryPoints.set(key, log.recoveryPoint);
      this.logStartOffsets.set(key, log.logStartOffset);
    }
    await this.recoveryPointFile.write(entries(this.recoveryPoints));
    await this.logStartOffsetFile.write(entries(this.logStartOffsets));
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

  /** Clean shutdown: closes every log (flushing it), then checkpoints, so the next open recovers nothing. */
  async close(): Promise<void> {
    for (const log of this.logs.values()) await log.close();
    await this.checkpoint();
    this.logs.clear();
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
