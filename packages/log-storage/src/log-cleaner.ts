import { join } from 'node:path';
import type { CleanJob, CleanSummary } from './log-cleaner-job.js';
import { cleanJobFor, filthiestLog, type CleanerJobSettings } from './log-cleaner-manager.js';
import type { LogDirIo } from './log-dir-io.js';
import { CLEANER_OFFSET_CHECKPOINT_FILE } from './log-file-names.js';
import { silentLogger, type Logger } from './logger.js';
import { OffsetCheckpointFile, type PartitionOffset } from './offset-checkpoint-file.js';
import type { PartitionLog } from './partition-log.js';
import { LogClosedError } from './storage-errors.js';
import { topicPartitionName } from './topic-partition.js';

/** A log the cleaner may take, with its last stable offset (at most its high watermark) as its owner knows it. */
export interface CleanableLog {
  readonly log: PartitionLog;
  readonly lastStableOffset: bigint;
}

/** Whether a segment the job was to read is no longer in the log (or the log closed). */
function segmentsGone(job: CleanJob, log: PartitionLog): boolean {
  try {
    const now = new Set(log.segmentsForCleaning().map((s) => String(s.baseOffset)));
    return job.segments.some((s) => !now.has(s.baseOffset));
  } catch (error) {
    if (error instanceof LogClosedError) return true;
    throw error;
  }
}

/** The broker's log.cleaner.* settings. */
export interface LogCleanerConfig extends CleanerJobSettings {
  /** log.cleaner.enable. */
  readonly enable: boolean;
  /** log.cleaner.backoff.ms: the pause when no log needs cleaning. */
  readonly backoffMs: number;
}

export const defaultLogCleanerConfig: LogCleanerConfig = Object.freeze({
  enable: true,
  backoffMs: 15_000,
  dedupeBufferSize: 128 * 1024 * 1024,
  threads: 1,
  loadFactor: 0.9,
  ioMaxBytesPerSecond: Number.MAX_VALUE,
});

export interface LogCleanerOptions {
  /** The log directory; its `cleaner-offset-checkpoint` is kept here. */
  readonly io: LogDirIo;
  /** The logs of the directory now (the cleaner takes only those with cleanup.policy compact). */
  readonly logs: () => Iterable<CleanableLog>;
  /** Runs a clean: the broker's pool, or cleanLog in the calling thread (tests, tools). */
  readonly execute: (job: CleanJob) => Promise<CleanSummary>;
  readonly config?: LogCleanerConfig;
  readonly logger?: Logger;
  readonly clock?: () => number;
}

/**
 * The log cleaner of one broker's log directory (Kafka's LogCleaner with
 * its LogCleanerManager): every log.cleaner.backoff.ms it takes the
 * dirtiest compacted log over its threshold (filthiestLog), has the clean
 * run by `execute` — off the loop, in the node's pool — swaps the result in
 * on the log (PartitionLog.replaceCleanedSegments) and records the log's
 * new first dirty offset in `cleaner-offset-checkpoint`. One clean at a
 * time (log.cleaner.threads = 1); after a clean it looks again at once,
 * after none it waits. Throttled inside the clean
 * (log.cleaner.io.max.bytes.per.second). Off when log.cleaner.enable is
 * false. Not thread-safe; owned by the broker loop.
 */
export class LogCleaner {
  private readonly config: LogCleanerConfig;
  private readonly logger: Logger;
  private readonly clock: () => number;
  /** Partitions whose clean failed: not taken again (Kafka's uncleanable partitions). */
  private readonly uncleanable = new Set<string>();
  /** The logs with a first dirty offset whose truncations this cleaner hears of (see watchTruncations). */
  private readonly watched = new WeakSet<PartitionLog>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private closed = false;

  private constructor(
    private readonly options: LogCleanerOptions,
    private readonly firstDirtyOffsets: Map<string, bigint>,
    private readonly checkpointFile: OffsetCheckpointFile,
  ) {
    this.config = options.config ?? defaultLogCleanerConfig;
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? Date.now;
  }

  /** Reads the checkpoint; entries of partitions with no directory are dropped (a deleted log's must not apply to a new one). */
  static async open(options: LogCleanerOptions): Promise<LogCleaner> {
    const file = new OffsetCheckpointFile(options.io, join(options.io.logDir, CLEANER_OFFSET_CHECKPOINT_FILE));
    const offsets = await file.read();
    const dirs = new Set(await options.io.readdir(options.io.logDir));
    for (const key of offsets.keys()) if (!dirs.has(key)) offsets.delete(key);
    return new LogCleaner(options, offsets, file);
  }

  /** Starts cleaning in the background, if log.cleaner.enable. */
  start(): void {
    if (!this.config.enable || this.closed) return;
    this.schedule(this.config.backoffMs);
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const run = this.cleanFilthiestLog().then(
        // After a clean that did something, the next log (or the rest of this one) at once; else a pause.
        (summary) => this.schedule(summary === undefined || summary.groups.length === 0 ? this.config.backoffMs : 0),
        (error: unknown) => {
          this.logger.error('Log cleaning failed', { error });
          this.schedule(this.config.backoffMs);
        },
      );
      this.running = run.finally(() => (this.running = undefined));
    }, delayMs);
    this.timer.unref?.();
  }

  /** The first dirty offset recorded for a partition, if any. */
  firstDirtyOffset(topic: string, partition: number): bigint | undefined {
    return this.firstDirtyOffsets.get(topicPartitionName({ topic, partition }));
  }

  /**
   * One turn of the cleaner: cleans the dirtiest compacted log over its
   * threshold, if one is, and returns what the clean did (undefined if no
   * log needed it, or the log changed under the clean and it was discarded).
   */
  async cleanFilthiestLog(): Promise<CleanSummary | undefined> {
    const now = this.clock();
    const logs = [...this.options.logs()];
    for (const { log } of logs) if (!this.watched.has(log) && this.firstDirtyOffsets.has(topicPartitionName(log.topicPartition))) this.watchTruncations(log);
    // Only compacted logs can be chosen (filthiestLog): a view of every hosted log each turn would be garbage in thousands.
    const compacted = logs.filter(({ log }) => log.config.cleanupPolicy.includes('compact'));
    const views = compacted.map(({ log, lastStableOffset }) => ({
      log,
      partition: topicPartitionName(log.topicPartition),
      logDir: log.logDir,
      dir: log.dir,
      config: log.config,
      segments: log.segmentsForCleaning(),
      logStartOffset: log.logStartOffset,
      logEndOffset: log.logEndOffset,
      lastStableOffset,
    }));
    const cleanable = views.filter((view) => !this.uncleanable.has(view.partition));
    const chosen = filthiestLog(cleanable, (view) => this.firstDirtyOffsets.get(view.partition), now);
    if (chosen === undefined) return undefined;
    const { log } = chosen.log;
    const job = cleanJobFor(chosen.log, chosen.toClean, this.config, now);
    let summary: CleanSummary;
    try {
      summary = await this.options.execute(job);
    } catch (error) {
      // A segment the clean was reading went meanwhile (retention under compact,delete, DeleteRecords, truncation): not a failure.
      if (segmentsGone(job, log)) return undefined;
      // As Kafka's LogCleaningException: the partition is left alone from now on, the others are still cleaned.
      this.uncleanable.add(chosen.log.partition);
      this.logger.error('Cleaning a log failed: its partition is marked uncleanable until the broker restarts', { partition: chosen.log.partition, error });
      return undefined;
    }
    try {
      if (!(await log.replaceCleanedSegments(summary))) return undefined;
    } catch (error) {
      // The partition went meanwhile (deleted, or moved away): the next open removes what the clean left.
      if (error instanceof LogClosedError) return undefined;
      throw error;
    }
    this.firstDirtyOffsets.set(chosen.log.partition, BigInt(summary.endOffset));
    this.watchTruncations(log);
    await this.checkpointFile.write(this.checkpointEntries());
    this.logger.info('Cleaned a log', { ...summary, groups: summary.groups.length, ratio: chosen.toClean.cleanableRatio });
    return summary;
  }

  /**
   * A truncation below a log's first dirty offset brings it down to the new
   * log end (Kafka's maybeTruncateCheckpoint): the batches a follower then
   * appends there are dirty, not clean. Only a log with a first dirty offset
   * is watched (one checkpointed, or once cleaned): a truncation of any other
   * changes nothing, and a broker hosts thousands of them.
   */
  private watchTruncations(log: PartitionLog): void {
    if (this.watched.has(log)) return;
    this.watched.add(log);
    const key = topicPartitionName(log.topicPartition);
    log.onTruncation((logEndOffset) => {
      const firstDirty = this.firstDirtyOffsets.get(key);
      if (firstDirty !== undefined && firstDirty > logEndOffset) this.firstDirtyOffsets.set(key, logEndOffset);
    });
  }

  private checkpointEntries(): PartitionOffset[] {
    return [...this.firstDirtyOffsets].map(([key, offset]) => {
      const dash = key.lastIndexOf('-');
      return { topic: key.slice(0, dash), partition: Number(key.slice(dash + 1)), offset };
    });
  }

  /** Stops the background cleaning and waits for a clean in progress. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
  }
}
