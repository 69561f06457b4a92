import { CheckpointFile, parseOffsetField, type CheckpointFormat } from './checkpoint-file.js';
import type { LogDirIo } from './log-dir-io.js';

export interface EpochEntry {
  epoch: number;
  /** The first offset written under this leader epoch. */
  startOffset: bigint;
}

export interface EpochEndOffset {
  epoch: number;
  endOffset: bigint;
}

/** Kafka's "no epoch" and "no offset" answers for OffsetForLeaderEpoch. */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1n;

const epochFormat: CheckpointFormat<EpochEntry> = {
  version: 0,
  format: (e) => `${e.epoch} ${e.startOffset}`,
  parse: (fields) => {
    if (fields.length !== 2) return undefined;
    const [epochText, offsetText] = fields as [string, string];
    const startOffset = parseOffsetField(offsetText);
    if (!/^\d+$/.test(epochText) || Number(epochText) > 0x7fffffff || startOffset === undefined) return undefined;
    return { epoch: Number(epochText), startOffset };
  },
};

/**
 * The leader epoch → start offset history of one partition, persisted to
 * `<partition dir>/leader-epoch-checkpoint` in Kafka's checkpoint format
 * (`0`, the entry count, then `epoch startOffset` lines). Entries increase in
 * both epoch and start offset. Followers use endOffsetFor (through
 * OffsetForLeaderEpoch) to find where to truncate after a leader change.
 * Mutators change memory and say whether anything changed; `flush` writes
 * the file. Not thread-safe; owned by the partition's broker loop.
 */
export class LeaderEpochFileCache {
  private epochs: EpochEntry[];

  private constructor(
    private readonly file: CheckpointFile<EpochEntry>,
    entries: EpochEntry[],
  ) {
    this.epochs = entries;
  }

  static async load(io: LogDirIo, path: string): Promise<LeaderEpochFileCache> {
    const file = new CheckpointFile(io, path, epochFormat);
    const cache = new LeaderEpochFileCache(file, []);
    // Assigning one by one drops entries that break the order, as Kafka does on load.
    for (const entry of await file.read()) cache.assign(entry.epoch, entry.startOffset);
    return cache;
  }

  /** The cache of a partition whose directory holds no checkpoint file: nothing to read. */
  static empty(io: LogDirIo, path: string): LeaderEpochFileCache {
    return new LeaderEpochFileCache(new CheckpointFile(io, path, epochFormat), []);
  }

  get path(): string {
    return this.file.path;
  }

  entries(): readonly EpochEntry[] {
    return this.epochs;
  }

  latestEntry(): EpochEntry | undefined {
    return this.epochs[this.epochs.length - 1];
  }

  latestEpoch(): number | undefined {
    return this.latestEntry()?.epoch;
  }

  /**
   * Records that `epoch` starts at `startOffset`. A new epoch or an earlier
   * start replaces every entry at or after it (by epoch or offset), keeping
   * the history monotonic. Negative values are ignored.
   */
  assign(epoch: number, startOffset: bigint): boolean {
    if (epoch < 0 || startOffset < 0n) return false;
    const latest = this.latestEntry();
    if (latest !== undefined && latest.epoch === epoch && startOffset >= latest.startOffset) return false;
    while (this.epochs.length > 0) {
      const last = this.epochs[this.epochs.length - 1]!;
      if (last.epoch < epoch && last.startOffset < startOffset) break;
      this.epochs.pop();
    }
    this.epochs.push({ epoch, startOffset });
    return true;
  }

  /**
   * OffsetForLeaderEpoch's answer: the end offset of `requestedEpoch` (the
   * start of the next epoch, or the log end offset for the latest) and the
   * epoch it belongs to — the greatest known epoch <= the requested one.
   * UNDEFINED for an unknown epoch above the latest, or for UNDEFINED_EPOCH.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: bigint): EpochEndOffset {
    const undefinedAnswer = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === UNDEFINED_EPOCH) return undefinedAnswer;
    const latest = this.latestEntry();
    if (latest !== undefined && latest.epoch === requestedEpoch) return { epoch: requestedEpoch, endOffset: logEndOffset };
    const higher = this.epochs.findIndex((e) => e.epoch > requestedEpoch);
    if (higher < 0) return undefinedAnswer;
    const floor = this.epochs[higher - 1];
    return { epoch: floor?.epoch ?? requestedEpoch, endOffset: this.epochs[higher]!.startOffset };
  }

  /** The epoch of the entry covering `offset`, if any. */
  epochForOffset(offset: bigint): number | undefined {
    let epoch: number | undefined;
    for (const e of this.epochs) {
      if (e.startOffset > offset) break;
      epoch = e.epoch;
    }
    return epoch;
  }

  /** Drops entries starting at or after `endOffset` (the log was truncated there). */
  truncateFromEnd(endOffset: bigint): boolean {
    const before = this.epochs.length;
    while (this.epochs.length > 0 && this.epochs[this.epochs.length - 1]!.startOffset >= endOffset) this.epochs.pop();
    return this.epochs.length !== before;
  }

  /**
   * Drops entries starting after `logEndOffset`, for a log opened after a
   * clean shutdown (after a crash, recovery may have cut off the batches of
   * an entry starting at the log end: truncateFromEnd). An entry starting
   * at the log end offset is then an epoch with no batches yet — a leader's
   * that had not appended when the broker stopped — and stays, as on a
   * running broker: leading again in that epoch keeps it, and following
   * drops it at the follower's first truncation (PartitionLog.truncateTo).
   */
  dropEntriesPast(logEndOffset: bigint): boolean {
    return this.truncateFromEnd(logEndOffset + 1n);
  }

  /**
   * The log now starts at `startOffset`: entries starting at or before it
   * collapse into one, for the epoch in force there, starting at it.
   */
  truncateFromStart(startOffset: bigint): boolean {
    let removed = 0;
    while (removed < this.epochs.length && this.epochs[removed]!.startOffset <= startOffset) removed++;
    if (removed === 0) return false;
    const inForce = this.epochs[removed - 1]!;
    if (removed === 1 && inForce.startOffset === startOffset) return false;
    this.epochs.splice(0, removed, { epoch: inForce.epoch, startOffset });
    return true;
  }

  clear(): boolean {
    const had = this.epochs.length > 0;
    this.epochs = [];
    return had;
  }

  /** Writes the checkpoint file (atomically). */
  flush(): Promise<void> {
    return this.file.write(this.epochs);
  }
}
