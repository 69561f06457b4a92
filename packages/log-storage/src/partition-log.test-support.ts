import { LogDirIo, nodeFileSystem, type FileSystem } from './log-dir-io.js';
import { logConfig, type LogConfig } from './log-config.js';
import type { OpenFileBudget } from './open-file-budget.js';
import type { Logger } from './logger.js';
import { PartitionLog } from './partition-log.js';
import { PARTITION, TOPIC } from './log-test-dir.test-support.js';

export interface OpenOptions {
  config?: Partial<LogConfig>;
  recoveryPoint?: bigint;
  logStartOffset?: bigint;
  fileSystem?: FileSystem;
  /** See LogDirIo.inlineWriteMaxBytes; 0 sends every write to the thread pool. */
  inlineWriteMaxBytes?: number;
  /** How many files the log may hold open at once. */
  budget?: OpenFileBudget;
  clock?: () => number;
  logger?: Logger;
  /** See PartitionLogOptions.pendingTopicId. */
  pendingTopicId?: string;
}

/** Opens the test partition's log in `logDir` with config overrides. */
export function openLog(logDir: string, options: OpenOptions = {}): Promise<PartitionLog> {
  return PartitionLog.open({
    logDir,
    topic: TOPIC,
    partition: PARTITION,
    config: logConfig(options.config),
    recoveryPoint: options.recoveryPoint,
    logStartOffset: options.logStartOffset,
    clock: options.clock,
    logger: options.logger,
    pendingTopicId: options.pendingTopicId,
    io:
      options.fileSystem || options.inlineWriteMaxBytes !== undefined || options.budget !== undefined
        ? new LogDirIo(logDir, options.fileSystem ?? nodeFileSystem, options.inlineWriteMaxBytes, options.budget)
        : undefined,
  });
}

/** The two ways the log writes an append: inline on the loop (small writes, the default) and on the thread pool (large ones). */
export const WRITE_PATHS = [
  { path: 'inline', inlineWriteMaxBytes: LogDirIo.DEFAULT_INLINE_WRITE_MAX_BYTES },
  { path: 'thread pool', inlineWriteMaxBytes: 0 },
] as const;

/** A logger that keeps what it was told. */
export function recordingLogger(): Logger & { entries: { level: string; msg: string; fields?: object }[] } {
  const entries: { level: string; msg: string; fields?: object }[] = [];
  return {
    entries,
    info: (msg, fields) => entries.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => entries.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => entries.push({ level: 'error', msg, fields }),
  };
}

/** A clock the test moves by hand. */
export function manualClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => void (time += ms) };
}
